import type { ClicksContext, RenderContext, SlideRoute } from '@slidev/types'
import type { ComputedRef, InjectionKey, Ref } from 'vue'

/** The part of Slidev's slide-local navigation the deck reads */
export interface SlideNav {
  currentSlideNo: number
  isPrintMode: boolean
}

/** What useSlideContext returns, as far as the deck reads it (the whole type: @slidev/client/context.ts) */
export interface SlideContext {
  $nav: Ref<SlideNav>
  $page: Ref<number>
  $renderContext: Ref<RenderContext>
  $clicksContext: ClicksContext
  $route: SlideRoute | undefined
  $frontmatter: Record<string, unknown>
}

/** The slide the calling component is on; only inside a slide (it throws elsewhere). */
export function useSlideContext(): SlideContext

export const injectionClicksContext: InjectionKey<Ref<ClicksContext>>
export const injectionCurrentPage: InjectionKey<Ref<number>>
export const injectionFrontmatter: InjectionKey<Record<string, unknown>>
export const injectionRenderContext: InjectionKey<Ref<RenderContext>>
export const injectionRoute: InjectionKey<SlideRoute>
export const injectionSlidevContext: InjectionKey<{ nav: SlideNav }>
export const injectionSlideScale: InjectionKey<ComputedRef<number>>
export const injectionSlideZoom: InjectionKey<ComputedRef<number>>

/** A click state fixed at `current` (CLICKS_MAX: every click step shown). */
export function createFixedClicks(route?: SlideRoute, current?: number): ClicksContext
/** Larger than any slide's number of clicks */
export const CLICKS_MAX: number
