import { defineRootSetup } from '@slidev/types'
import { useRouter } from 'vue-router'

export default defineRootSetup(() => {
  // Follow the speaker: under `npm run dev` (the speaker's laptop) the slide changes go to the dev server,
  // which announces them to the chat. `import.meta.hot` is undefined in a build: the import is dropped there.
  if (import.meta.hot) {
    const hot = import.meta.hot
    const router = useRouter()
    void import('../browser/speaker-slide-client.ts').then(client => client.announceSlides(hot, router))
  }
})
