import type { Ref } from 'vue'
import { onBeforeUnmount, onMounted, ref } from 'vue'

/** Keys that scroll a page: pressing one is the reader moving on their own. */
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End', ' '])

export interface ReadingPosition {
  /** The slide whose section is at the top of the screen */
  current: Ref<number>
  /** The slide the page is held at (it stays there while pictures and slides above it load), if any */
  pinned: Ref<number | undefined>
  /** Scrolls to slide `no` and holds it at the top until the reader scrolls */
  pin: (no: number) => void
}

/**
 * Where the reader is in the reading view: `sections` are the slides' sections (`data-no`), under a sticky
 * bar of height `offset()`. A pinned slide is re-aligned whenever the page's height changes — slides above
 * it load lazily — until the reader drags, wheels or presses a scroll key; then `onRelease` is called.
 */
export function useReadingPosition(
  sections: () => HTMLElement[],
  offset: () => number,
  onRelease: () => void = () => {},
): ReadingPosition {
  const current = ref(1)
  const pinned = ref<number>()
  let frame = 0

  function align() {
    const target = sections().find(section => Number(section.dataset.no) === pinned.value)
    if (target)
      window.scrollTo({ top: window.scrollY + target.getBoundingClientRect().top - offset(), behavior: 'instant' })
  }

  function measure() {
    frame = 0
    const line = offset() + 8
    const top = sections().find(section => section.getBoundingClientRect().bottom > line)
    if (top)
      current.value = Number(top.dataset.no)
  }

  const onScroll = () => (frame ||= requestAnimationFrame(measure))

  function release(event: Event) {
    if (pinned.value === undefined || (event instanceof KeyboardEvent && !SCROLL_KEYS.has(event.key)))
      return
    pinned.value = undefined
    onRelease()
  }

  const resized = new ResizeObserver(() => {
    if (pinned.value !== undefined)
      align()
  })

  function pin(no: number) {
    pinned.value = no
    current.value = no
    align()
  }

  // A finger that moves (not one that taps a link or a button), a wheel, a scroll key.
  const inputs = ['touchmove', 'wheel', 'keydown'] as const
  onMounted(() => {
    addEventListener('scroll', onScroll, { passive: true })
    for (const input of inputs)
      addEventListener(input, release, { passive: true })
    resized.observe(document.body)
  })
  onBeforeUnmount(() => {
    removeEventListener('scroll', onScroll)
    for (const input of inputs)
      removeEventListener(input, release)
    resized.disconnect()
    cancelAnimationFrame(frame)
  })
  return { current, pinned, pin }
}
