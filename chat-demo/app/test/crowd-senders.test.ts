// Many people, one address: a room behind one NAT (or behind the funnel, where every request comes
// from tailscaled) must not lock itself out, while one flooder is slowed down. Senders are told apart
// by a per-browser id the server signs and hands out with the page; a room's shared address gets a
// much larger allowance. Command slots are fair: one command per sender at a time, and a visible queue.
import type { Message } from '../src/store/types.ts'
import type { TestChat } from './support/chat.ts'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestChat } from './support/chat.ts'
import { openEvents } from './support/sse-client.ts'

let dir: string
let chat: TestChat
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-senders-'))
  await writeFile(join(dir, 'commands.conf'), 'block=while [ ! -e "$ARG" ]; do sleep 0.05; done; echo done\n')
  chat = await startTestChat({
    COMMANDS_FILE: join(dir, 'commands.conf'),
    MESSAGE_BURST: '5',
    MESSAGES_PER_MINUTE: '6',
    ADDRESS_MESSAGES_PER_MINUTE: '600',
    NEW_SENDERS_PER_MINUTE: '60',
    NEW_SENDER_BURST: '300',
    MAX_CONCURRENT_COMMANDS: '2',
    MAX_QUEUED_COMMANDS: '3',
  })
})
afterAll(async () => {
  await chat.close()
  await rm(dir, { recursive: true, force: true })
})

/** Opens the page like a browser and keeps the sender cookie it gets. */
async function browser(base = chat.audienceUrl, headers: Record<string, string> = {}) {
  const page = await fetch(`${base}/`, { headers })
  const cookie = page.headers.get('set-cookie')?.split(';')[0]
  return { cookie, page }
}

async function say(text: string, cookie: string | undefined, base = chat.audienceUrl, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}), ...headers },
    body: JSON.stringify({ text }),
  })
  return { status: response.status, headers: response.headers, body: (await response.json()) as { message: Message, error?: string, queue?: { position: number } } }
}

describe('sender ids', () => {
  it('come with the page as an HttpOnly, SameSite cookie signed by the server', async () => {
    const { cookie, page } = await browser()
    const header = page.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^chat_sender=[\w-]+\.[\w-]+$/)
    expect(header).toMatch(/HttpOnly/)
    expect(header).toMatch(/SameSite=Strict/)
    expect(header).toMatch(/Path=\//)
    // A browser that has one keeps it.
    const again = await fetch(`${chat.audienceUrl}/`, { headers: { cookie: cookie! } })
    expect(again.headers.get('set-cookie')).toBeNull()
  })
})

describe('the rate limit per sender', () => {
  it('slows down one flooding browser with 429 and Retry-After, and nobody else in the room', async () => {
    const flooder = (await browser()).cookie
    const answers = []
    for (let i = 0; i < 20; i++) answers.push(await say(`flood ${i}`, flooder))
    expect(answers.slice(0, 5).map(a => a.status)).toEqual([201, 201, 201, 201, 201])
    const refused = answers.filter(a => a.status === 429)
    expect(refused.length).toBeGreaterThanOrEqual(14)
    expect(refused[0]?.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(refused[0]?.body.error).toMatch(/too fast/)

    // 60 other people behind the same address (the funnel makes it 127.0.0.1 for all) post fine.
    const room = await Promise.all(Array.from({ length: 60 }, () => browser()))
    const posts = await Promise.all(room.map(({ cookie }, i) => say(`hello from seat ${i}`, cookie)))
    expect(posts.map(p => p.status)).toEqual(posts.map(() => 201))
  })

  it('does not trust a forged or changed cookie: it counts against the address instead', async () => {
    const { cookie } = await browser()
    const forged = `${cookie!.slice(0, -3)}abc`
    const other = await say('forged id', forged)
    expect(other.status === 201 || other.status === 429).toBe(true)
    // Without a valid id, all requests of an address share one (small) allowance.
    const statuses = []
    for (let i = 0; i < 12; i++) statuses.push((await say(`no id ${i}`, `chat_sender=made.up${i}`)).status)
    expect(statuses.filter(s => s === 429).length).toBeGreaterThan(0)
  })

  it('tells apart the addresses tailscaled reports in X-Forwarded-For on the audience listener', async () => {
    const statuses = []
    for (let i = 0; i < 8; i++) statuses.push((await say(`from a phone ${i}`, undefined, chat.audienceUrl, { 'x-forwarded-for': '203.0.113.7' })).status)
    expect(statuses.filter(s => s === 429).length).toBeGreaterThan(0)
    // Another address has its own allowance.
    expect((await say('another phone', undefined, chat.audienceUrl, { 'x-forwarded-for': '198.51.100.9' })).status).toBe(201)
  })

  it('hands out new ids to one address only so fast: no endless fresh identities', async () => {
    let issued = 0
    for (let i = 0; i < 400; i++) {
      if ((await browser(chat.audienceUrl, { 'x-forwarded-for': '192.0.2.44' })).cookie)
        issued++
    }
    expect(issued).toBeGreaterThanOrEqual(290)
    expect(issued).toBeLessThan(320)
  })

  it('does not limit the speaker', async () => {
    for (let i = 0; i < 30; i++) expect((await say(`speaker ${i}`, undefined, chat.url)).status).toBe(201)
  })
})

describe('command slots', () => {
  it('one command per audience sender at a time; others queue, with their position shown, and run in order', async () => {
    const gate = join(dir, 'gate-1')
    const events = await openEvents(`${chat.audienceUrl}/api/events`)
    try {
      const people = await Promise.all(Array.from({ length: 6 }, () => browser()))
      const a = await say(`/block ${gate}`, people[0]!.cookie)
      expect(a.status).toBe(201)
      // The same browser can't take a second slot (or queue place) while its first command waits.
      const again = await say(`/block ${gate}`, people[0]!.cookie)
      expect(again.status).toBe(429)
      expect(again.body.error).toMatch(/your command/)

      const b = await say(`/block ${gate}`, people[1]!.cookie)
      expect(b.status).toBe(201)
      // Both slots taken: the next three wait in the queue, and each answer says where.
      const queued = [await say(`/block ${gate}`, people[2]!.cookie), await say(`/block ${gate}`, people[3]!.cookie), await say(`/block ${gate}`, people[4]!.cookie)]
      expect(queued.map(q => [q.status, q.body.queue?.position])).toEqual([[201, 1], [201, 2], [201, 3]])
      const ids = queued.map(q => q.body.message.id)
      await events.waitFor(e => e.event === 'queue' && JSON.stringify(JSON.parse(e.data).waiting) === JSON.stringify(ids))
      // The queue is full: a clear 429.
      const full = await say(`/block ${gate}`, people[5]!.cookie)
      expect(full.status).toBe(429)
      expect(full.body.error).toMatch(/queue is full/)

      await writeFile(gate, '')
      await events.waitFor(e => e.event === 'queue' && JSON.parse(e.data).waiting.length === 0)
      for (const id of [a.body.message.id, b.body.message.id, ...ids]) {
        await events.waitFor(e => e.event === 'update' && JSON.parse(e.data).id === id && JSON.parse(e.data).status === 'ok')
      }
      // First in, first out: every later view of the queue is the end of the one before.
      const views = events.events.filter(e => e.event === 'queue').map(e => JSON.parse(e.data).waiting as number[])
      const fromFull = views.slice(views.findIndex(v => v.length === 3))
      for (const view of fromFull) expect(ids.slice(ids.length - view.length)).toEqual(view)
    }
    finally {
      events.close()
    }
  })
})
