import { defineRootSetup } from '@slidev/types'
import { slides } from '#slidev/slides'
import { holdPreloadUntilFirstSlide } from '../logic/first-slide-first.ts'

export default defineRootSetup(() => {
  // The audience's phones: the slide opened first, its neighbours after it is on screen. Not in the dev server
  // (the speaker's, and the PDF export's), where Slidev preloads as always.
  if (import.meta.env.PROD)
    holdPreloadUntilFirstSlide(slides)
})
