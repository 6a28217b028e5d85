// What a hostile page or a careless client sends: posts from other sites, non-JSON bodies, broken
// UTF-8, messages made only of invisible characters. Each is refused before anything is stored.
import type { TestChat } from './support/chat.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestChat } from './support/chat.ts'

let chat: TestChat
beforeAll(async () => {
  chat = await startTestChat()
})
afterAll(async () => {
  await chat.close()
})

const post = (base: string, body: BodyInit, headers: Record<string, string>) => fetch(`${base}/api/messages`, { method: 'POST', headers, body })

describe('posts from other sites', () => {
  it('refuses a text/plain or form post, which any page could send without asking (415)', async () => {
    const before = (await chat.all()).length
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '']) {
      const answer = await post(chat.audienceUrl, '{"text": "from a form on another site"}', type ? { 'content-type': type } : {})
      expect(answer.status, type).toBe(415)
      expect((await answer.json()).error).toMatch(/application\/json/)
    }
    expect((await chat.all()).length).toBe(before)
  })

  it('refuses a JSON post whose Origin is another site (403), on both listeners', async () => {
    const before = (await chat.all()).length
    for (const base of [chat.url, chat.audienceUrl]) {
      for (const origin of ['https://evil.example', 'null', `http://localhost:${chat.port}.evil.example`]) {
        const answer = await post(base, '{"text": "csrf"}', { 'content-type': 'application/json', origin })
        expect(answer.status, `${base} ${origin}`).toBe(403)
        expect((await answer.json()).error).toMatch(/origin/i)
      }
    }
    expect((await chat.all()).length).toBe(before)
  })

  it('accepts the page itself (same Origin as Host) and clients that send no Origin (curl)', async () => {
    const host = new URL(chat.audienceUrl).host
    const same = await post(chat.audienceUrl, '{"text": "from the page"}', { 'content-type': 'application/json', 'origin': `http://${host}` })
    expect(same.status).toBe(201)
    // Behind the funnel: the public name arrives as X-Forwarded-Host.
    const funnel = await post(chat.audienceUrl, '{"text": "through the funnel"}', {
      'content-type': 'application/json',
      'origin': 'https://phone-b.tail1234.ts.net',
      'x-forwarded-host': 'phone-b.tail1234.ts.net',
    })
    expect(funnel.status).toBe(201)
    const curl = await post(chat.audienceUrl, '{"text": "from curl"}', { 'content-type': 'application/json; charset=utf-8' })
    expect(curl.status).toBe(201)
  })
})

describe('the text itself', () => {
  it('answers 400 for invalid UTF-8 instead of storing U+FFFD', async () => {
    const before = (await chat.all()).length
    const prefix = new TextEncoder().encode('{"text": "broken ')
    for (const bad of [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xE2, 0x82]]) {
      const body = new Uint8Array([...prefix, ...bad, 0x22, 0x7D])
      const answer = await post(chat.url, body, { 'content-type': 'application/json' })
      expect(answer.status, bad.join(',')).toBe(400)
      expect((await answer.json()).error).toMatch(/UTF-8/)
    }
    expect((await chat.all()).length).toBe(before)
    expect((await chat.all()).some(m => m.text.includes('\uFFFD'))).toBe(false)
  })

  it('refuses messages made only of invisible characters, keeps messages that have some visible ones', async () => {
    const invisible = ['\u200B', '\u200B\u200C\u200D\u2060', '\u2800\u2800', '\u3164', '\u115F\u1160', '\uFFA0', '\u202E\u202D', '\u00AD', '\uFE0F', '\u034F', '\u0301\u0301', '\u180E', '\uFEFF', '\u{E0020}\u{E007F}', '\u00A0\u3000 \t']
    const before = (await chat.all()).length
    for (const text of invisible) {
      const answer = await chat.post(text)
      expect(answer.status, JSON.stringify(text)).toBe(400)
      expect(answer.body.error).toMatch(/empty|invisible/)
    }
    expect((await chat.all()).length).toBe(before)
    for (const text of ['a\u200B', '👍', '\u0915\u094D\u200D', '.', 'é']) expect((await chat.post(text)).status, JSON.stringify(text)).toBe(201)
  })
})
