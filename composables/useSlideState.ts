/**
 * What the recordings, the cluster view and the live demos need to know about the slide they are on, read
 * through Slidev's public useSlideContext (logic/slidev.js says why it is imported from there). Outside a
 * slide (a component test) every value is "not on a slide".
 */
import type { ComputedRef, Ref } from 'vue'
import { computed, inject, ref } from 'vue'
import { injectionCurrentPage, useSlideContext } from '../logic/slidev.js'

export interface SlideState {
  /** This slide's number (0: not on a slide) */
  page: Ref<number>
  /** This slide is the current one */
  active: ComputedRef<boolean>
  /** Exporting or printing (PDF): no animation, no player, the final state */
  printing: ComputedRef<boolean>
  /** Shown in the slide or presenter view (not the overview, the next-slide preview or a test) */
  interactive: ComputedRef<boolean>
}

/** `slidev export` opens ?print=…#print (hash router) or /print?print=…; the browser exporter is /export. */
function printAddress(): boolean {
  if (typeof location === 'undefined')
    return false
  return new URLSearchParams(location.search).has('print') || /^#?\/?(?:print|export)(?:\/|$)/.test(location.hash) || /\/(?:print|export)\/?$/.test(location.pathname)
}

function onASlide(): boolean {
  // Slidev's SlideWrapper provides the slide's number to everything on the slide.
  return inject(injectionCurrentPage, undefined) !== undefined
}

export function useSlideState(): SlideState {
  if (!onASlide()) {
    const page = ref(0)
    const printing = computed(printAddress)
    return { page, active: computed(() => false), printing, interactive: computed(() => false) }
  }
  const { $page, $nav, $renderContext } = useSlideContext()
  // As Slidev's useIsSlideActive, which '@slidev/client' exports together with the app's virtual modules.
  const active = computed(() => $page.value === $nav.value.currentSlideNo)
  // Slidev's print pages give each slide a nav whose isPrintMode is false: look at the address as Slidev does too.
  const printing = computed(() => $nav.value.isPrintMode || printAddress())
  const interactive = computed(() => !printing.value && ($renderContext.value === 'slide' || $renderContext.value === 'presenter'))
  return { page: $page, active, printing, interactive }
}
