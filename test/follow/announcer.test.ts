import type { IncomingMessage, Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createAnnouncer } from '../../live-demo/node/speaker-slide.ts'

// The speaker's half of following: what the dev server sends to the chat, against a real HTTP server standing
// in for the chat's speaker listener (test/browser/follow.test.ts runs the real chat).

interface FakeChat { url: string, port: number, bodies: unknown[], server: Server }
const servers: Server[] = []

async function fakeChat(port = 0, status = 200, hold?: Promise<void>): Promise<FakeChat> {
  const bodies: unknown[] = []
  const server = createServer((request: IncomingMessage, response) => {
    let body = ''
    request.on('data', chunk => (body += chunk))
    request.on('end', async () => {
      bodies.push({ method: request.method, path: request.url, type: request.headers['content-type'], body: JSON.parse(body) })
      await hold
      response.writeHead(status, { 'content-type': 'application/json' }).end(body)
    })
  })
  servers.push(server)
  await new Promise<void>(done => server.listen(port, '127.0.0.1', done))
  const actual = (server.address() as AddressInfo).port
  return { url: `http://127.0.0.1:${actual}`, port: actual, bodies, server }
}

afterEach(async () => {
  for (const server of servers.splice(0))
    await new Promise(done => server.close(done))
})

function quiet() {
  const lines: string[] = []
  return { lines, info: (line: string) => lines.push(`info: ${line}`), warn: (line: string) => lines.push(`warn: ${line}`) }
}

describe('the announcer (live-demo/node/speaker-slide.ts)', () => {
  it('PUTs {"slide": N} as JSON to /api/slide, once per change', async () => {
    const chat = await fakeChat()
    const announcer = createAnnouncer(chat.url, quiet())
    announcer.announce(3)
    await announcer.idle()
    announcer.announce(3)
    await announcer.idle()
    announcer.announce(4)
    await announcer.idle()
    expect(chat.bodies).toEqual([
      { method: 'PUT', path: '/api/slide', type: 'application/json', body: { slide: 3 } },
      { method: 'PUT', path: '/api/slide', type: 'application/json', body: { slide: 4 } },
    ])
  })

  it('while a request is on its way, only the latest slide follows it', async () => {
    let release!: () => void
    const chat = await fakeChat(0, 200, new Promise<void>(done => (release = done)))
    const announcer = createAnnouncer(chat.url, quiet())
    announcer.announce(1)
    await expect.poll(() => chat.bodies.length, { timeout: 10_000 }).toBe(1)
    for (const no of [2, 3, 4, 5])
      announcer.announce(no)
    release()
    await expect.poll(() => chat.bodies.length, { timeout: 10_000 }).toBe(2)
    await announcer.idle()
    expect(chat.bodies.map(body => (body as { body: { slide: number } }).body.slide)).toEqual([1, 5])
  })

  it('ignores what is not a slide number', async () => {
    const chat = await fakeChat()
    const announcer = createAnnouncer(chat.url, quiet())
    for (const no of [0, -1, 2.5, Number.NaN])
      announcer.announce(no)
    await announcer.idle()
    expect(chat.bodies).toEqual([])
  })

  it('says once when the chat can\'t be reached or refuses, and sends the slide when it is back', async () => {
    const port = (await fakeChat()).port
    await new Promise(done => servers.pop()!.close(done)) // nothing listens there now
    const log = quiet()
    const announcer = createAnnouncer(`http://127.0.0.1:${port}`, log, { retryMs: 20 })
    announcer.announce(7)
    await expect.poll(() => log.lines.length, { timeout: 10_000 }).toBe(1)
    expect(log.lines[0]).toMatch(/^warn: follow the speaker: could not announce slide 7 to http:\/\/127\.0\.0\.1:\d+\/api\/slide/)
    const chat = await fakeChat(port)
    await expect.poll(() => chat.bodies.length, { timeout: 10_000 }).toBe(1)
    await announcer.idle()
    expect(log.lines.slice(1)).toEqual([expect.stringMatching(/^info: follow the speaker: .* answers again$/)])
    announcer.stop()

    const refusing = await fakeChat(0, 403)
    const refused = quiet()
    const second = createAnnouncer(refusing.url, refused, { retryMs: 60_000 })
    second.announce(2)
    await expect.poll(() => refused.lines.length, { timeout: 10_000 }).toBe(1)
    expect(refused.lines[0]).toContain('HTTP 403')
    second.stop()
  })
})
