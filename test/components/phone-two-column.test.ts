import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import PhoneTwoColumn from '../../components/PhoneTwoColumn.vue'

// Slidev registers v-click globally; here it records the click index the way Slidev reads it.
const click = { mounted: (el: HTMLElement, binding: { value: unknown }) => el.setAttribute('data-click', String(binding.value)) }
const global = { directives: { click } }

describe('PhoneTwoColumn', () => {
  it('puts the slot on the left and the phone on the right', () => {
    const wrapper = mount(PhoneTwoColumn, { props: { img: 'img/two-phones.svg' }, slots: { default: '<h1>Install</h1>' }, global })
    expect(wrapper.get('.kop-two-column-text h1').text()).toBe('Install')
    expect(wrapper.findAll('.kop-two-column-phone img')).toHaveLength(1)
  })

  it('reveals later pictures on clicks 1, 2, …', () => {
    const wrapper = mount(PhoneTwoColumn, { props: { img: ['img/two-phones.svg', 'img/two-phones.svg', 'img/two-phones.svg'] }, global })
    const phones = wrapper.findAll('.kop-phone')
    expect(phones).toHaveLength(3)
    expect(phones.map(phone => phone.attributes('data-click'))).toEqual([undefined, '1', '2'])
  })

  it('shows all pictures side by side without clicks when clickToReveal is false', () => {
    const wrapper = mount(PhoneTwoColumn, { props: { img: ['img/two-phones.svg', 'img/two-phones.svg'], clickToReveal: false }, global })
    expect(wrapper.find('.kop-phone-row').exists()).toBe(true)
    expect(wrapper.findAll('[data-click]')).toHaveLength(0)
  })

  it('plays a recording on the phone when given a cast, and takes no typed output', () => {
    const wrapper = mount(PhoneTwoColumn, { props: { cast: 'echo-demo/recordings/04-curl.simulated.cast' }, global })
    expect(wrapper.get('.kop-two-column-phone .kop-cast').attributes('data-cast')).toBe('echo-demo/recordings/04-curl.simulated.cast')
    expect(Object.keys(PhoneTwoColumn.props ?? {})).not.toContain('output')
  })
})
