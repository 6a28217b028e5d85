/**
 * The first slide before its neighbours. Slidev loads and renders (hidden) the slides next to the one opened at
 * once, so on a phone the second slide's code and its phone terminal compete with the first slide for the
 * network and the CPU. Here every slide's `preload` reads false until a slide is on screen with its pictures
 * (or 10 s have passed); then Slidev's own preloading goes on: its effect loads the neighbours, and its "every
 * slide 3 s after start" timer, when it fires after that (on a phone that took longer, each slide's neighbours
 * still load as the reader moves on). The slide opened is shown as before: Slidev renders the current slide
 * whether preloaded or not. The reading view doesn't preload and is not affected.
 */
import type { SlideRoute } from '@slidev/types'
import type { ShallowRef } from 'vue'
import { ref, toRaw } from 'vue'

/** In the page: a slide's layout is there and every picture in it is loaded. */
function slideShown(): boolean {
  const layout = document.querySelector('.slidev-layout')
  return !!layout && [...layout.querySelectorAll('img')].every(img => img.complete)
}

export function holdPreloadUntilFirstSlide(slides: ShallowRef<SlideRoute[]>, maxMs = 10_000): void {
  const holding = ref(true)
  for (const route of slides.value) {
    const meta = toRaw(route.meta)
    const own = Object.getOwnPropertyDescriptor(meta, 'preload')
    Object.defineProperty(meta, 'preload', {
      configurable: true,
      enumerable: true,
      // Read through the reactive `holding`, so Slidev's preloading effect runs again on release.
      get: () => (holding.value ? false : own?.get ? own.get.call(route.meta) : own?.value),
    })
  }
  const started = performance.now()
  const release = () => (holding.value = false)
  const check = () => (slideShown() || performance.now() - started > maxMs ? requestAnimationFrame(release) : requestAnimationFrame(check))
  requestAnimationFrame(check)
}
