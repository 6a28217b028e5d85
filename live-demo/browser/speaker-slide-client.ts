/**
 * Follow the speaker, in the speaker's windows of the dev server: each slide change of the slides view or the
 * presenter goes to the dev server (live-demo/node/speaker-slide.ts), which announces it to the chat. Loaded by
 * live-demo/setup/root.ts only under `npm run dev`. The printed pages of an export aren't slide changes.
 */
import type { ViteHotContext } from 'vite/types/hot.d.ts'
import type { Router } from 'vue-router'
import type { SpeakerSlideMessage } from '../shared/speaker-slide-event.ts'
import { SPEAKER_SLIDE_EVENT } from '../shared/speaker-slide-event.ts'

const SPEAKER_ROUTES = new Set(['play', 'presenter'])

export function announceSlides(hot: ViteHotContext, router: Router) {
  function announce() {
    const route = router.currentRoute.value
    const slide = Number(route.params.no)
    if (SPEAKER_ROUTES.has(String(route.name)) && Number.isInteger(slide) && !new URLSearchParams(location.search).has('print'))
      hot.send(SPEAKER_SLIDE_EVENT, { slide } satisfies SpeakerSlideMessage)
  }
  router.afterEach(announce)
  void router.isReady().then(announce)
}
