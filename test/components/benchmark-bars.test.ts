import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import BenchmarkBars from '../../components/BenchmarkBars.vue'

describe('BenchmarkBars', () => {
  it('computes bar widths from the values', () => {
    const wrapper = mount(BenchmarkBars, { props: { bars: [{ label: 'server', value: 2443 }, { label: 'phone', value: 8041, highlight: true }] } })
    const bars = wrapper.findAll('.kop-bar')
    expect(bars[0].attributes('style')).toContain(`width: ${(100 * 2443) / 8041}%`)
    expect(bars[1].attributes('style')).toContain('width: 100%')
    expect(bars[1].classes()).toContain('kop-bar-highlight')
    expect(bars[1].text()).toBe('8,041')
  })

  it('scales against a given maximum', () => {
    const wrapper = mount(BenchmarkBars, { props: { bars: [{ label: 'a', value: 50 }], max: 200 } })
    expect(wrapper.get('.kop-bar').attributes('style')).toContain('width: 25%')
  })
})
