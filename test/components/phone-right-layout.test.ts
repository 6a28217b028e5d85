import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import PhoneRight from '../../layouts/phone-right.vue'

// Slidev registers v-click globally; here it records the click index the way Slidev reads it.
const click = { mounted: (el: HTMLElement, binding: { value: unknown }) => el.setAttribute('data-click', String(binding.value)) }
const global = { directives: { click } }

describe('the phone-right layout', () => {
  it('is a Slidev layout: the slide\'s text on the left, the frontmatter\'s recording on a phone on the right', () => {
    const wrapper = mount(PhoneRight, { props: { cast: 'echo-demo/recordings/04-curl.simulated.cast' }, slots: { default: '<h1>Ask it</h1>' }, global })
    expect(wrapper.classes()).toEqual(['slidev-layout', 'default'])
    expect(wrapper.get('.kop-two-column-text h1').text()).toBe('Ask it')
    expect(wrapper.get('.kop-two-column-phone .kop-cast').attributes('data-cast')).toBe('echo-demo/recordings/04-curl.simulated.cast')
  })

  it('reveals a list of pictures click by click, or shows them side by side', () => {
    const img = ['img/two-phones.svg', 'img/two-phones.svg', 'img/two-phones.svg']
    const stacked = mount(PhoneRight, { props: { img }, global })
    expect(stacked.findAll('.kop-phone').map(phone => phone.attributes('data-click'))).toEqual([undefined, '1', '2'])
    const row = mount(PhoneRight, { props: { img, clickToReveal: false }, global })
    expect(row.findAll('.kop-phone-row .kop-phone')).toHaveLength(3)
    expect(row.findAll('[data-click]')).toHaveLength(0)
  })

  it('puts the ::phone:: slot where the phone is', () => {
    const wrapper = mount(PhoneRight, { slots: { default: '<h1>Scale</h1>', phone: '<div class="cluster">cluster</div>' }, global })
    expect(wrapper.get('.kop-two-column-phone .cluster').text()).toBe('cluster')
    expect(wrapper.find('.kop-phone').exists()).toBe(false)
  })
})
