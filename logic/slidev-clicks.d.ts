import type { ClicksContext, SlideRoute } from '@slidev/types'

/** A click state fixed at `current` (CLICKS_MAX: every click step shown). */
export function createFixedClicks(route?: SlideRoute, current?: number): ClicksContext
/** Larger than any slide's number of clicks */
export const CLICKS_MAX: number
