// The speaker's current slide: PUT on the speaker's listener only, GET and the live stream on both,
// CORS for exactly the hosted deck's origin.
import type { TestChat } from './support/chat.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestChat } from './support/chat.ts'
import { openEvents } from './support/sse-client.ts'

const DECK = 'https://deck.example.github.io'
let chat: TestChat
beforeAll(async () => {
  chat = await startTestChat({ DECK_ORIGIN: DECK })
})
afterAll(async () => {
  await chat.close()
})

function put(base: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  return fetch(`${base}/api/slide`, { method: 'PUT', headers, body })
}
async function getSlide(base: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/api/slide`, { headers })
  return { status: response.status, body: await response.json(), headers: response.headers }
}

describe('the current slide', () => {
  it('is unknown (null) until the speaker sets it', async () => {
    const fresh = await startTestChat()
    try {
      expect((await getSlide(fresh.url)).body).toEqual({ slide: null })
      expect((await getSlide(fresh.audienceUrl)).body).toEqual({ slide: null })
    }
    finally {
      await fresh.close()
    }
  })

  it('is set with PUT on the speaker listener and read on both listeners', async () => {
    const answer = await put(chat.url, '{"slide": 7}')
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ slide: 7 })
    expect((await getSlide(chat.url)).body).toEqual({ slide: 7 })
    expect((await getSlide(chat.audienceUrl)).body).toEqual({ slide: 7 })
  })

  it('refuses PUT on the audience listener with 403, whatever the headers claim', async () => {
    await put(chat.url, '{"slide": 3}')
    const forged: Record<string, string>[] = [
      {},
      { 'tailscale-user-login': 'speaker@example.com', 'tailscale-user-name': 'Speaker' },
      { 'x-forwarded-for': '100.64.0.1', 'x-real-ip': '100.64.0.1' },
      { 'host': `localhost:${chat.port}`, 'x-forwarded-host': `localhost:${chat.port}` },
    ]
    for (const headers of forged) {
      const answer = await put(chat.audienceUrl, '{"slide": 99}', { 'content-type': 'application/json', ...headers })
      expect(answer.status, JSON.stringify(headers)).toBe(403)
      expect((await answer.json()).error).toMatch(/speaker/)
    }
    expect((await getSlide(chat.url)).body).toEqual({ slide: 3 })
  })

  it('accepts only {"slide": N} with a whole N ≥ 1, as JSON, in a small body', async () => {
    await put(chat.url, '{"slide": 4}')
    const cases: [string, number, Record<string, string>?][] = [
      ['{"slide": 0}', 400],
      ['{"slide": -1}', 400],
      ['{"slide": 1.5}', 400],
      ['{"slide": "5"}', 400],
      ['{"slide": 5, "extra": true}', 400],
      ['{}', 400],
      ['[5]', 400],
      ['slide=5', 400],
      ['{"slide": 5}', 415, { 'content-type': 'text/plain' }],
      [JSON.stringify({ slide: 5, pad: 'x'.repeat(1000) }), 413],
    ]
    for (const [body, status, headers] of cases) {
      const answer = await put(chat.url, body, headers)
      expect(answer.status, body.slice(0, 40)).toBe(status)
    }
    expect((await getSlide(chat.url)).body).toEqual({ slide: 4 })
  })

  it('is announced on the live stream of both listeners as event "slide", and sent on connect', async () => {
    await put(chat.url, '{"slide": 10}')
    const speaker = await openEvents(`${chat.url}/api/events`)
    const audience = await openEvents(`${chat.audienceUrl}/api/events`)
    try {
      for (const stream of [speaker, audience]) {
        const first = await stream.waitFor(e => e.event === 'slide')
        expect(JSON.parse(first.data)).toEqual({ slide: 10 })
      }
      await put(chat.url, '{"slide": 11}')
      for (const stream of [speaker, audience]) {
        const next = await stream.waitFor(e => e.event === 'slide' && JSON.parse(e.data).slide === 11)
        expect(next.id).toBeUndefined()
      }
      // Setting the same slide again announces nothing new.
      await put(chat.url, '{"slide": 11}')
      await put(chat.url, '{"slide": 12}')
      await speaker.waitFor(e => e.event === 'slide' && JSON.parse(e.data).slide === 12)
      expect(speaker.events.filter(e => e.event === 'slide').map(e => JSON.parse(e.data).slide)).toEqual([10, 11, 12])
    }
    finally {
      speaker.close()
      audience.close()
    }
  })

  it('allows CORS reads for exactly the deck origin, on both listeners, and nothing else', async () => {
    for (const base of [chat.url, chat.audienceUrl]) {
      const allowed = await getSlide(base, { origin: DECK })
      expect(allowed.headers.get('access-control-allow-origin')).toBe(DECK)
      expect(allowed.headers.get('access-control-allow-credentials')).toBeNull()
      expect(allowed.headers.get('vary')).toMatch(/Origin/)
      for (const origin of ['https://evil.example', `${DECK}.evil.example`, 'http://deck.example.github.io', 'null']) {
        expect((await getSlide(base, { origin })).headers.get('access-control-allow-origin'), origin).toBeNull()
      }
      const controller = new AbortController()
      const events = await fetch(`${base}/api/events`, { headers: { origin: DECK }, signal: controller.signal })
      expect(events.headers.get('access-control-allow-origin')).toBe(DECK)
      controller.abort()
      // Messages are not shared with other sites, and a PUT from the deck's origin gets no CORS either.
      expect((await fetch(`${base}/api/messages`, { headers: { origin: DECK } })).headers.get('access-control-allow-origin')).toBeNull()
    }
    const putFromDeck = await put(chat.url, '{"slide": 2}', { 'content-type': 'application/json', 'origin': DECK })
    expect(putFromDeck.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('sends no CORS header at all without DECK_ORIGIN', async () => {
    const plain = await startTestChat()
    try {
      expect((await getSlide(plain.url, { origin: DECK })).headers.get('access-control-allow-origin')).toBeNull()
    }
    finally {
      await plain.close()
    }
  })
})

describe('the two listeners', () => {
  it('binds the audience listener to the loopback only (AUDIENCE_HOST, default 127.0.0.1)', () => {
    expect(chat.audienceUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(chat.audiencePort).not.toBe(chat.port)
  })
})
