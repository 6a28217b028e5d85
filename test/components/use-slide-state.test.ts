import type { SlideState } from '../../composables/useSlideState.ts'
import type { FakeSlide } from './support/on-a-slide.ts'
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick } from 'vue'
import { useSlideState } from '../../composables/useSlideState.ts'
import { onASlide } from './support/on-a-slide.ts'

/** Mounts a component that reads its slide's state, on a fake slide or (without one) outside Slidev. */
function slideStateOf(slide?: FakeSlide) {
  let state: SlideState | undefined
  const Probe = defineComponent({
    setup() {
      state = useSlideState()
      return () => h('div')
    },
  })
  const fake = slide ? onASlide(slide) : undefined
  mount(Probe, fake ? { global: fake.global } : {})
  return { state: state!, nav: fake?.nav }
}

describe('useSlideState', () => {
  afterEach(() => history.replaceState(null, '', '/'))

  it('is "not on a slide" outside Slidev', () => {
    const { state } = slideStateOf()
    expect([state.page.value, state.active.value, state.interactive.value, state.printing.value]).toEqual([0, false, false, false])
  })

  it('is active while the deck shows its slide, and follows the deck', async () => {
    const { state, nav } = slideStateOf({ page: 3, current: 3 })
    expect(state.page.value).toBe(3)
    expect(state.active.value).toBe(true)
    nav!.currentSlideNo = 4
    await nextTick()
    expect(state.active.value).toBe(false)
  })

  it('is interactive in the slide and presenter views only', () => {
    expect(slideStateOf({ renderContext: 'slide' }).state.interactive.value).toBe(true)
    expect(slideStateOf({ renderContext: 'presenter' }).state.interactive.value).toBe(true)
    expect(slideStateOf({ renderContext: 'overview' }).state.interactive.value).toBe(false)
    expect(slideStateOf({ renderContext: 'previewNext' }).state.interactive.value).toBe(false)
  })

  it('is printing when Slidev says so, or when the address is an export page', () => {
    expect(slideStateOf({ isPrintMode: true }).state.printing.value).toBe(true)
    history.replaceState(null, '', '/?print=true#/1')
    const { state } = slideStateOf({})
    expect(state.printing.value).toBe(true)
    expect(state.interactive.value).toBe(false)
    history.replaceState(null, '', '/#/export/1')
    expect(slideStateOf({}).state.printing.value).toBe(true)
  })
})
