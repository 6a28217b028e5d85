// RoomChatQr: the room chat's QR code from chatPublicUrl in project.json, or a sentence without one.
import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { qrShape } from '../../build/qr.ts'

const links = { repository: 'https://example.org/repo', branch: 'main', deckUrl: 'https://example.org/deck/', blogUrl: 'https://example.org', sapMachineUrl: 'https://sapmachine.io', chatPublicUrl: '' }
vi.mock('virtual:project-links', () => ({ links }))
vi.mock('virtual:project-qr', () => ({
  get qr() {
    return Object.fromEntries(Object.values(links).filter(v => /^https?:/.test(v)).map(url => [url, qrShape(url)]))
  },
}))

afterEach(() => {
  links.chatPublicUrl = ''
  vi.resetModules()
})

async function mountRoomChat() {
  const { default: RoomChatQr } = await import('../../components/RoomChatQr.vue')
  return mount(RoomChatQr)
}

describe('RoomChatQr', () => {
  it('says the room chat is not configured, with no QR code and no link, when chatPublicUrl is empty', async () => {
    const wrapper = await mountRoomChat()
    expect(wrapper.find('.kop-qr').exists()).toBe(false)
    expect(wrapper.find('a').exists()).toBe(false)
    expect(wrapper.text()).toContain('isn\'t configured')
  })

  it('draws the QR code of chatPublicUrl when it is set', async () => {
    links.chatPublicUrl = 'https://phone-b.tail1234.ts.net/'
    const wrapper = await mountRoomChat()
    expect(wrapper.get('a').attributes('href')).toBe('https://phone-b.tail1234.ts.net/')
    expect(wrapper.get('path').attributes('d')).toBe(qrShape('https://phone-b.tail1234.ts.net/').path)
    expect(wrapper.get('.kop-qr-label').text()).toBe('Join the chat')
  })
})
