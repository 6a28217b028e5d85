// The live stream under a crowd: a client that stops reading is dropped before it costs the server
// its memory; a browser that comes back catches up from its last event id; past the cap on
// connections the answer is a clear 503.
import type { Socket } from 'node:net'
import type { TestChat } from './support/chat.ts'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestChat } from './support/chat.ts'
import { openEvents } from './support/sse-client.ts'

/** Resolves once check() holds; polls the server's own state (no fixed sleeps), fails after timeoutMs. */
async function until(check: () => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

/** A raw connection that asks for the live stream and then never reads a byte. */
function stalledClient(base: string): Promise<Socket> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname === 'localhost' ? '127.0.0.1' : url.hostname, port: Number(url.port) }, () => {
      socket.write(`GET /api/events HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`)
      socket.pause()
      resolve(socket)
    })
    socket.on('error', () => {})
    socket.once('error', reject)
  })
}

let chat: TestChat
beforeAll(async () => {
  chat = await startTestChat({ MAX_EVENT_STREAMS: '5', MAX_STREAM_BUFFER_BYTES: '65536' })
})
afterAll(async () => {
  await chat.close()
})

describe('a live-stream client that stops reading', () => {
  it('is dropped once its unread backlog passes the limit; readers get everything', async () => {
    const reader = await openEvents(`${chat.audienceUrl}/api/events`)
    const stalled = await stalledClient(chat.audienceUrl)
    try {
      await until(() => chat.hub.size === 2, 'both clients connected')
      // ~30 MB in total: far more than the socket buffers hold, so the backlog lands in the server.
      const big = 'x'.repeat(60_000)
      // The reader keeps up (each event arrives before the next is sent); the stalled client never reads.
      let sent = 0
      while (chat.hub.size === 2) {
        if (sent === 500)
          throw new Error('500 events (30 MB) and the stalled client is still connected')
        const id = chat.hub.publish('update', { id: sent++, text: big })
        await reader.waitFor(e => e.id === id)
      }
      expect(chat.hub.size).toBe(1)
      expect(chat.logs.some(line => line.includes('dropped a live-stream client that does not read'))).toBe(true)
      // Dropped long before 30 MB: the socket buffers plus the 64 KiB limit.
      expect(sent).toBeLessThan(500)
      // The reader is still connected and still gets new events.
      const after = chat.hub.publish('update', { id: -1, text: 'after' })
      await reader.waitFor(e => e.id === after)
    }
    finally {
      reader.close()
      stalled.destroy()
    }
  }, 60_000)
})

describe('a browser that reconnects', () => {
  it('catches up from Last-Event-ID with what it missed, in order', async () => {
    const first = await openEvents(`${chat.url}/api/events`)
    const seen = (await chat.post('before the gap')).body.message.id
    const event = await first.waitFor(e => e.event === 'message' && JSON.parse(e.data).id === seen)
    first.close()
    const missed = [(await chat.post('missed one')).body.message.id, (await chat.post('missed two')).body.message.id]

    for (const how of ['header', 'query'] as const) {
      const url = how === 'query' ? `${chat.url}/api/events?lastEventId=${encodeURIComponent(event.id!)}` : `${chat.url}/api/events`
      const again = await openEvents(url, how === 'header' ? { 'last-event-id': event.id! } : {})
      try {
        await again.waitFor(e => e.event === 'message' && JSON.parse(e.data).id === missed[1])
        const replayed = again.events.filter(e => e.event === 'message').map(e => JSON.parse(e.data).id)
        expect(replayed, how).toEqual(missed)
      }
      finally {
        again.close()
      }
    }
  })

  it('is told to reload (event "reset") when its last id is unknown: another pod, or too old', async () => {
    for (const id of ['0-1', 'nonsense', `${'9'.repeat(40)}`]) {
      const again = await openEvents(`${chat.url}/api/events`, { 'last-event-id': id })
      try {
        await again.waitFor(e => e.event === 'reset')
      }
      finally {
        again.close()
      }
    }
  })
})

describe('the cap on live-stream connections', () => {
  it('answers 503 with Retry-After past MAX_EVENT_STREAMS on the audience listener; the speaker still gets in', async () => {
    await until(() => chat.hub.size === 0, 'earlier clients gone')
    const open = await Promise.all(Array.from({ length: 5 }, () => openEvents(`${chat.audienceUrl}/api/events`)))
    try {
      const refused = await fetch(`${chat.audienceUrl}/api/events`)
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
      expect((await refused.json()).error).toMatch(/full/)
      const speaker = await openEvents(`${chat.url}/api/events`)
      await speaker.waitFor(e => e.event === 'hello')
      speaker.close()
    }
    finally {
      for (const client of open) client.close()
    }
    await until(() => chat.hub.size === 0, 'all closed')
    const after = await openEvents(`${chat.audienceUrl}/api/events`)
    await after.waitFor(e => e.event === 'hello')
    after.close()
  })
})
