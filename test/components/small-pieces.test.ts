import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import Callout from '../../components/Callout.vue'
import KeyValue from '../../components/KeyValue.vue'

describe('small pieces', () => {
  it('Callout shows a title and its variant', () => {
    const wrapper = mount(Callout, { props: { variant: 'danger', title: 'Careful' }, slots: { default: 'text' } })
    expect(wrapper.classes()).toContain('kop-callout-danger')
    expect(wrapper.get('.kop-callout-title').text()).toBe('Careful')
  })

  it('KeyValue fills its key and value slots', () => {
    const wrapper = mount(KeyValue, { slots: { key: 'RAM', value: '2 GB' } })
    expect(wrapper.get('.kop-key').text()).toBe('RAM')
    expect(wrapper.get('.kop-value').text()).toBe('2 GB')
  })
})
