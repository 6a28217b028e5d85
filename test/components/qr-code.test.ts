import { mount } from '@vue/test-utils'
import { links } from 'virtual:project-links'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { qrShape } from '../../build/qr.ts'
import QrCode from '../../components/QrCode.vue'

// A test that expects an error silences console.error; each test starts with the real one.
afterEach(() => {
  vi.restoreAllMocks()
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
    expect(error).toHaveBeenCalledWith(expect.stringContaining('elsewhere'))
  })
})
