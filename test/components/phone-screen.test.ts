import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import PhoneScreen from '../../components/PhoneScreen.vue'
import { imageUrl } from '../../logic/images.ts'

// A test that expects an error silences console.error; each test starts with the real one.
afterEach(() => {
  vi.restoreAllMocks()
})

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
