import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import SlideImage from '../../components/SlideImage.vue'
import { imageUrl } from '../../logic/images.ts'

// A test that expects an error silences console.error; each test starts with the real one.
afterEach(() => {
  vi.restoreAllMocks()
})

describe('SlideImage', () => {
  it('shows a picture from img/ under its served URL, with its alt text and height', () => {
    const wrapper = mount(SlideImage, { props: { img: './img/two-phones.svg', alt: 'Two phones', height: 320 } })
    const img = wrapper.get('img')
    expect(img.attributes('src')).toBe(imageUrl('img/two-phones.svg'))
    expect(img.attributes('src')).toBeTruthy()
    expect(img.attributes('alt')).toBe('Two phones')
    expect(img.attributes('style')).toContain('height: 320px')
  })

  it('leaves the size to the layout when no height is given', () => {
    const wrapper = mount(SlideImage, { props: { img: 'img/two-phones.svg', alt: 'Two phones' } })
    expect(wrapper.get('img').attributes('style')).toBeUndefined()
  })

  it('says loudly when a picture is missing, never a broken image', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const wrapper = mount(SlideImage, { props: { img: './img/nothing-here.svg', alt: 'nothing' } })
    expect(wrapper.find('img').exists()).toBe(false)
    expect(wrapper.get('.kop-missing').text()).toContain('nothing-here.svg')
    expect(error).toHaveBeenCalledWith(expect.stringContaining('nothing-here.svg'))
  })
})
