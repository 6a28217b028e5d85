import { defineRootSetup } from '@slidev/types'
import { useRouter } from 'vue-router'
import { slides } from '#slidev/slides'
import { holdPreloadUntilFirstSlide } from '../logic/first-slide-first.ts'

export default defineRootSetup(() => {
  // The audience's phones: the slide opened first, its neighbours after it is on screen. Not in the dev server
  // (the speaker's, and the PDF export's), where Slidev preloads as always.
  if (import.meta.env.PROD)
    holdPreloadUntilFirstSlide(slides)

  // Follow the speaker: under `npm run dev` (the speaker's laptop) the slide changes go to the dev server,
  // which announces them to the chat. `import.meta.hot` is undefined in a build: the import is dropped there.
  if (import.meta.hot) {
    const hot = import.meta.hot
    const router = useRouter()
    void import('../browser/speaker-slide-client.ts').then(client => client.announceSlides(hot, router))
  }
})
