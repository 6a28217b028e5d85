/**
 * Puts a component on a slide the way Slidev's SlideWrapper does, under Slidev's own injection keys
 * (logic/slidev.js): the slide's number, where it is drawn, and the deck's current slide, which a test moves
 * with `nav.currentSlideNo`. Without it a component is outside Slidev ("not on a slide").
 */
import type { RenderContext } from '@slidev/types'
import { reactive, ref } from 'vue'
import {
  createFixedClicks,
  injectionClicksContext,
  injectionCurrentPage,
  injectionRenderContext,
  injectionSlidevContext,
} from '../../../logic/slidev.js'

export interface FakeSlide {
  page?: number
  /** The deck's current slide */
  current?: number
  renderContext?: RenderContext
  isPrintMode?: boolean
}

export function onASlide({ page = 1, current = 1, renderContext = 'slide', isPrintMode = false }: FakeSlide = {}) {
  const nav = reactive({ currentSlideNo: current, isPrintMode })
  const provide = {
    [injectionSlidevContext as unknown as string]: reactive({ nav }),
    [injectionCurrentPage as unknown as string]: ref(page),
    [injectionRenderContext as unknown as string]: ref(renderContext),
    [injectionClicksContext as unknown as string]: ref(createFixedClicks()),
  }
  return { nav, global: { provide } }
}
