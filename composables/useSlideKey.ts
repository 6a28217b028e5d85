/**
 * A key a slide component answers to (CastPlayer's r, LiveDemoControls' t): only on the current slide in the
 * slide or presenter view, never while someone types (a form field, an editable element, a live terminal),
 * never with Ctrl, Alt or Meta held (those are the browser's and Slidev's), and only for the first component of
 * its kind on the slide, so one key press starts one thing.
 *
 *   useSlideKey({ keys: ['r'], root, first: '.kop-cast' }, () => toggle())
 */
import type { Ref } from 'vue'
import { onBeforeUnmount, onMounted } from 'vue'
import { useSlideState } from './useSlideState.ts'

export interface SlideKeyOptions {
  /** KeyboardEvent.key values: ['t', 'T'] is t with or without Shift */
  keys: string[]
  /** The component's root element */
  root: Ref<HTMLElement | undefined>
  /** The component's own selector: of several on a slide, only the first answers */
  first: string
  /** A further condition (say, the dev server's live demos are there) */
  when?: () => boolean
}

/** Where a key press is typing, not a command: form fields, editable elements, xterm's terminals. */
const TYPING = 'input, textarea, select, [contenteditable=""], [contenteditable="true"], [contenteditable="plaintext-only"], .xterm'

function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null
  return Boolean(target?.closest?.(TYPING))
}

export function useSlideKey(options: SlideKeyOptions, onKey: (event: KeyboardEvent) => void): void {
  const { active, interactive } = useSlideState()

  function firstOnSlide(): boolean {
    const root = options.root.value
    return Boolean(root) && root?.closest('.slidev-page')?.querySelector(options.first) === root
  }

  function listener(event: KeyboardEvent) {
    if (!options.keys.includes(event.key) || event.ctrlKey || event.altKey || event.metaKey || isTyping(event))
      return
    if (!active.value || !interactive.value || !(options.when?.() ?? true) || !firstOnSlide())
      return
    event.preventDefault()
    onKey(event)
  }

  onMounted(() => window.addEventListener('keydown', listener))
  onBeforeUnmount(() => window.removeEventListener('keydown', listener))
}
