import { mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { links } from 'virtual:project-links'
import BenchmarkBars from '../../components/BenchmarkBars.vue'
import Callout from '../../components/Callout.vue'
import CodeWithScript from '../../components/CodeWithScript.vue'
import KeyValue from '../../components/KeyValue.vue'
import PhoneScreen from '../../components/PhoneScreen.vue'
import PhoneTwoColumn from '../../components/PhoneTwoColumn.vue'
import QrCode from '../../components/QrCode.vue'
import ServiceTraffic from '../../components/ServiceTraffic.vue'
import { imageUrl } from '../../logic/images.ts'
import { qrShape } from '../../build/qr.ts'

// Slidev registers v-click globally; here it records the click index the way Slidev reads it.
const click = { mounted: (el: HTMLElement, binding: { value: unknown }) => el.setAttribute('data-click', String(binding.value)) }
const global = { directives: { click } }

describe('PhoneScreen', () => {
  it('shows a picture from img/ under its served URL', () => {
    const wrapper = mount(PhoneScreen, { props: { img: './img/two-phones.svg' } })
    const img = wrapper.get('img')
    expect(img.attributes('src')).toBe(imageUrl('img/two-phones.svg'))
    expect(img.attributes('src')).toBeTruthy()
    expect(wrapper.find('.kop-terminal').exists()).toBe(false)
  })

  it('says loudly when a picture is missing, never a broken image', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const wrapper = mount(PhoneScreen, { props: { img: './img/no-such-picture.png' } })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.get('.kop-missing').text()).toContain('no-such-picture.png')
    expect(error).toHaveBeenCalledWith(expect.stringContaining('no-such-picture.png'))
    error.mockRestore()
  })

  it('has no typed terminal: no command or output props', () => {
    expect(Object.keys(PhoneScreen.props ?? {})).not.toContain('output')
    expect(Object.keys(PhoneScreen.props ?? {})).not.toContain('command')
  })

  it('magnifies and shifts the screen content by zoom and offsetY', () => {
    const wrapper = mount(PhoneScreen, { props: { img: 'img/two-phones.svg', zoom: 2, offsetY: -50 } })
    expect(wrapper.get('.kop-phone-content').attributes('style')).toContain('translateY(-50px) scale(2)')
  })
})

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

describe('CodeWithScript', () => {
  it('wraps the highlighted code and links the file in the repository', () => {
    const wrapper = mount(CodeWithScript, {
      props: { path: 'echo-demo/scripts/03-deploy-echo.sh', region: 'slide' },
      slots: { default: '<pre class="shiki">kubectl apply</pre>' },
    })
    expect(wrapper.get('pre').text()).toBe('kubectl apply')
    const pill = wrapper.get('a.kop-code-pill')
    expect(pill.text()).toContain('echo-demo/scripts/03-deploy-echo.sh')
    expect(pill.attributes('href')).toBe(`${links.repository}/blob/${links.branch}/echo-demo/scripts/03-deploy-echo.sh`)
    expect(wrapper.attributes('data-region')).toBe('slide')
  })
})

describe('QrCode', () => {
  it('draws the QR code of an address from project.json, computed at build time', () => {
    const wrapper = mount(QrCode, { props: { link: 'repository' } })
    expect(wrapper.get('a').attributes('href')).toBe(links.repository)
    expect(wrapper.get('path').attributes('d')).toBe(qrShape(links.repository).path)
    expect(wrapper.get('.kop-qr-label').text()).toBe(links.repository.replace('https://', ''))
  })

  it('refuses an address that is not in project.json', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    // @ts-expect-error: the prop only takes project.json's keys
    const wrapper = mount(QrCode, { props: { link: 'elsewhere' } })
    expect(wrapper.find('svg').exists()).toBe(false)
    expect(wrapper.get('.kop-missing').text()).toContain('elsewhere')
    error.mockRestore()
  })
})

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
