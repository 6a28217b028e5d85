import type { VueWrapper } from '@vue/test-utils'
import type { FakeSlide } from './support/on-a-slide.ts'
import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, ref } from 'vue'
import { useSlideKey } from '../../composables/useSlideKey.ts'
import { onASlide } from './support/on-a-slide.ts'

/** A component that answers key r (as CastPlayer does), with the places one types in beside it. */
const Player = defineComponent({
  props: { ready: { type: Boolean, default: true } },
  setup(props, { expose }) {
    const root = ref<HTMLElement>()
    const pressed = ref<string[]>([])
    useSlideKey({ keys: ['r', 'R'], root, first: '.kop-probe', when: () => props.ready }, event => pressed.value.push(event.key))
    expose({ pressed })
    return () => h('div', { ref: root, class: 'kop-probe' }, [
      h('input'),
      h('textarea'),
      h('select'),
      h('div', { class: 'editable', contenteditable: 'true' }, [h('span', 'text')]),
      h('div', { class: 'xterm' }, [h('div', { class: 'xterm-screen' })]),
      h('button'),
    ])
  },
})

let page: HTMLElement
const mounted: VueWrapper[] = []

function mountPlayer(slide: FakeSlide = {}, props: { ready?: boolean } = {}) {
  const fake = onASlide(slide)
  const wrapper = mount(Player, { props, global: fake.global, attachTo: page })
  mounted.push(wrapper)
  return { wrapper, nav: fake.nav, pressed: () => (wrapper.vm as unknown as { pressed: string[] }).pressed }
}

function press(target: Element, key: string, init: KeyboardEventInit = {}) {
  const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init })
  target.dispatchEvent(event)
  return event
}

describe('useSlideKey', () => {
  beforeEach(() => {
    page = document.createElement('div')
    page.className = 'slidev-page'
    document.body.append(page)
  })
  afterEach(() => {
    for (const wrapper of mounted.splice(0)) wrapper.unmount()
    page.remove()
  })

  it('answers its key on the current slide, and takes it from the page', () => {
    const { wrapper, pressed } = mountPlayer()
    const event = press(wrapper.get('button').element, 'r')
    expect(pressed()).toEqual(['r'])
    expect(event.defaultPrevented).toBe(true)
    press(document.body, 'R') // Shift+r: the component listens on the window
    expect(pressed()).toEqual(['r', 'R'])
  })

  it('leaves other keys alone', () => {
    const { wrapper, pressed } = mountPlayer()
    expect(press(wrapper.get('button').element, 'x').defaultPrevented).toBe(false)
    expect(pressed()).toEqual([])
  })

  it.each(['input', 'textarea', 'select', '.editable span', '.xterm-screen'])('does nothing while someone types in %s', (place) => {
    const { wrapper, pressed } = mountPlayer()
    const event = press(wrapper.get(place).element, 'r')
    expect(pressed()).toEqual([])
    expect(event.defaultPrevented).toBe(false)
  })

  it.each(['ctrlKey', 'altKey', 'metaKey'])('does nothing with %s held', (modifier) => {
    const { wrapper, pressed } = mountPlayer()
    press(wrapper.get('button').element, 'r', { [modifier]: true })
    expect(pressed()).toEqual([])
  })

  it('answers only while its slide is the current one', async () => {
    const { nav, pressed } = mountPlayer({ page: 2, current: 3 })
    press(document.body, 'r')
    expect(pressed()).toEqual([])
    nav.currentSlideNo = 2
    await nextTick()
    press(document.body, 'r')
    expect(pressed()).toEqual(['r'])
  })

  it('does nothing in the overview or the next-slide preview, outside a slide, or when its condition is false', () => {
    const overview = mountPlayer({ renderContext: 'overview' })
    const preview = mountPlayer({ renderContext: 'previewNext' })
    press(document.body, 'r')
    expect([overview.pressed(), preview.pressed()]).toEqual([[], []])
    for (const wrapper of mounted.splice(0)) wrapper.unmount()

    const waiting = mountPlayer({}, { ready: false })
    press(document.body, 'r')
    expect(waiting.pressed()).toEqual([])
  })

  it('lets only the first component of its kind on a slide answer', () => {
    const first = mountPlayer()
    const second = mountPlayer()
    press(document.body, 'r')
    expect([first.pressed(), second.pressed()]).toEqual([['r'], []])
  })
})
