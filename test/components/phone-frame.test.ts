import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import CastPlayer from '../../components/CastPlayer.vue'
import ClusterPhone from '../../components/ClusterPhone.vue'
import PhoneFrame from '../../components/PhoneFrame.vue'
import PhoneScreen from '../../components/PhoneScreen.vue'

describe('PhoneFrame', () => {
  it('puts its content on the screen, under the status bar', () => {
    const wrapper = mount(PhoneFrame, { slots: { default: '<p class="content">hello</p>' } })
    const screen = wrapper.get('.kop-phone-frame-screen')
    expect(screen.element.firstElementChild?.classList).toContain('kop-phone-frame-status')
    expect(screen.get('.content').text()).toBe('hello')
    expect(wrapper.get('.kop-phone-frame-status').text()).toContain('9:41')
  })

  it('puts its head in the bezel, above the screen', () => {
    const wrapper = mount(PhoneFrame, { slots: { head: '<b class="head">phone-a</b>' } })
    expect(wrapper.element.firstElementChild?.classList).toContain('head')
    expect(wrapper.get('.kop-phone-frame-screen').find('.head').exists()).toBe(false)
  })

  it('has a compact look without a status bar, and an absent one', () => {
    const compact = mount(PhoneFrame, { props: { compact: true } })
    expect(compact.classes()).toContain('compact')
    expect(compact.find('.kop-phone-frame-status').exists()).toBe(false)
    expect(mount(PhoneFrame, { props: { absent: true } }).classes()).toContain('absent')
  })

  it('is the phone of a picture, of a recording and of a cluster node', () => {
    expect(mount(PhoneScreen, { props: { img: 'img/two-phones.svg' } }).find('.kop-phone-frame .kop-phone-image').exists()).toBe(true)
    const cast = mount(CastPlayer, { props: { src: 'echo-demo/recordings/04-curl.simulated.cast' } })
    expect(cast.find('.kop-phone-frame .kop-cast-screen').exists()).toBe(true)
    expect(mount(CastPlayer, { props: { src: 'echo-demo/recordings/04-curl.simulated.cast', phone: false } }).find('.kop-phone-frame').exists()).toBe(false)
    const node = mount(ClusterPhone, { props: { name: 'phone-b', pods: [], animate: false } })
    expect(node.classes()).toEqual(expect.arrayContaining(['kop-phone-frame', 'compact', 'absent']))
    expect(node.attributes('data-node')).toBe('phone-b')
  })
})
