/**
 * What the live-demo components (CastPlayer, ClusterView, LiveDemoControls) need to know about the slide
 * they are on, read through Slidev's injection keys. Those keys are plain strings (see
 * @slidev/client/constants.ts); importing '@slidev/client' itself would pull its sources, which rely on
 * Slidev's build-time globals, into our type check. Outside Slidev (component tests) every value falls
 * back to "not on a slide".
 */
import { computed, inject, ref, type ComputedRef, type Ref } from 'vue'

/** Where a slide is drawn: Slidev's RenderContext */
export type RenderContext = 'none' | 'slide' | 'overview' | 'presenter' | 'previewNext'

interface SlidevNav {
  currentPage: number
  isPrintMode: boolean
}

export interface SlideInfo {
  /** This slide's number */
  page: Ref<number>
  renderContext: Ref<RenderContext>
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
  return new URLSearchParams(location.search).has('print') || /^#?\/?(print|export)(\/|$)/.test(location.hash) || /\/(print|export)\/?$/.test(location.pathname)
}

export function useSlideInfo(): SlideInfo {
  const page = inject<Ref<number>>('$$slidev-page', ref(0))
  const renderContext = inject<Ref<RenderContext>>('$$slidev-render-context', ref('none'))
  const slidev = inject<{ nav: SlidevNav } | undefined>('$$slidev-context', undefined)
  const active = computed(() => slidev !== undefined && slidev.nav.currentPage === page.value)
  // Slidev's print pages give each slide a nav whose isPrintMode is false: look at the address as Slidev
  // does (?print, or the export page) too.
  const printing = computed(() => (slidev?.nav.isPrintMode ?? false) || printAddress())
  const interactive = computed(() => !printing.value && (renderContext.value === 'slide' || renderContext.value === 'presenter'))
  return { page, renderContext, active, printing, interactive }
}
