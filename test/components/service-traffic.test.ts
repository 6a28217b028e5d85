import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import ServiceTraffic from '../../components/ServiceTraffic.vue'

describe('ServiceTraffic', () => {
  it('draws one pod, one route and one request per pod', () => {
    const wrapper = mount(ServiceTraffic, { props: { pods: 4 } })
    expect(wrapper.findAll('.kop-traffic-pod')).toHaveLength(4)
    expect(wrapper.findAll('.kop-traffic-route')).toHaveLength(4)
    expect(wrapper.findAll('animateMotion').map(node => node.attributes('begin'))).toEqual(['0s', '1.2s', '2.4s', '3.6s'])
  })

  it('keeps the pod count within what fits', () => {
    expect(mount(ServiceTraffic, { props: { pods: 40 } }).findAll('.kop-traffic-pod')).toHaveLength(6)
    expect(mount(ServiceTraffic, { props: { pods: 0 } }).findAll('.kop-traffic-pod')).toHaveLength(1)
  })
})
