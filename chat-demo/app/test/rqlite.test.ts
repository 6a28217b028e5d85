// The rqlite store: the adapter against a test double of rqlite's documented HTTP API
// (test/support/rqlite-double.ts), or against a real rqlite when RQLITE_URL is set; and the whole
// server through a store outage.
import type { AddressInfo } from 'node:net'
import type { NewMessage } from '../src/store/types.ts'
import type { TestChat } from './support/chat.ts'
import type { RqliteDouble } from './support/rqlite-double.ts'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createRqliteStore } from '../src/store/rqlite.ts'
import { StoreError } from '../src/store/types.ts'
import { startTestChat } from './support/chat.ts'
import { startRqliteDouble } from './support/rqlite-double.ts'
import { openEvents } from './support/sse-client.ts'

const realRqlite = process.env.RQLITE_URL

function message(text: string, pod: string): NewMessage {
  return {
    text,
    createdAt: new Date().toISOString(),
    pod,
    node: 'phone-a',
    command: null,
    status: null,
    output: null,
    finishedAt: null,
  }
}

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise(resolve => probe.close(resolve))
  return port
}

describe(`rqlite adapter against ${realRqlite ? `the real rqlite at ${realRqlite}` : 'the rqlite test double'}`, () => {
  let double: RqliteDouble | undefined
  let url: string
  const pod = `adapter-${process.pid}-${Date.now()}`
  beforeAll(async () => {
    if (realRqlite) {
      url = realRqlite
    }
    else {
      double = await startRqliteDouble()
      url = double.url
    }
  })
  afterAll(async () => {
    await double?.close()
  })

  it('creates the schema (twice is fine), writes, pages and finishes commands', async () => {
    const store = createRqliteStore(url)
    await store.init()
    await store.init()
    await store.ping()
    const tricky = `it's "quoted"; DROP TABLE messages; -- ${pod}`
    const a = (await store.insert(message(tricky, pod))).message
    const b = (await store.insert({ ...message('/date', pod), command: 'date', status: 'running' })).message
    expect(b.id).toBeGreaterThan(a.id)
    const page = await store.list({ limit: 2 })
    expect(page.map(m => m.id)).toEqual([b.id, a.id])
    expect(page[1]).toEqual(a)
    expect(await store.list({ before: b.id, limit: 1 })).toEqual([a])

    await store.finish(b.id, { status: 'ok', output: 'Mon Nov 23', finishedAt: '2026-11-23T10:00:00.000Z' })
    expect((await store.list({ limit: 1 }))[0]).toMatchObject({ id: b.id, status: 'ok', output: 'Mon Nov 23', finishedAt: '2026-11-23T10:00:00.000Z' })

    const c = (await store.insert({ ...message('/hang', pod), command: 'hang', status: 'running' })).message
    expect(await store.interruptRunning({ status: 'error', output: 'restarted', finishedAt: c.createdAt })).toBe(1)
    expect((await store.list({ limit: 1 }))[0]).toMatchObject({ id: c.id, status: 'error', output: 'restarted' })
    expect(await store.interruptRunning({ status: 'error', output: 'again', finishedAt: c.createdAt })).toBe(0)
    await store.close()
  })

  it.skipIf(realRqlite)('sends parameterized statements only: user text never becomes SQL', async () => {
    const store = createRqliteStore(url)
    await store.init()
    const text = `Robert'); DROP TABLE messages;-- ${Math.random()}`
    await store.insert(message(text, pod))
    const statements = double?.statements ?? []
    const insert = statements.find(s => s.includes(text))
    expect(insert?.[0]).toMatch(/^INSERT INTO messages \(.*\) VALUES \(\?, \?, \?, \?, \?, \?, \?, \?, \?\) ON CONFLICT \(client_key\) DO NOTHING$/)
    expect(statements.every(s => !String(s[0]).includes('Robert'))).toBe(true)
  })

  it.skipIf(realRqlite)('turns an error inside a 200 answer into a StoreError', async () => {
    // No init: the table does not exist, and rqlite says so inside {"results":[{"error":...}]}.
    const empty = await startRqliteDouble()
    try {
      const store = createRqliteStore(empty.url)
      const failure = store.insert(message('x', pod))
      await expect(failure).rejects.toBeInstanceOf(StoreError)
      await expect(failure).rejects.toThrow('rqlite: no such table: messages')
    }
    finally {
      await empty.close()
    }
  })

  it.skipIf(realRqlite)('turns a 503 and a refused connection into a StoreError', async () => {
    const store = createRqliteStore(url)
    double?.failNext(1)
    await expect(store.ping()).rejects.toThrow(/answered HTTP 503: leadership lost/)
    const closed = createRqliteStore(`http://127.0.0.1:${await freePort()}`)
    await expect(closed.ping()).rejects.toThrow(/rqlite not reachable at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/)
  })

  it('moves credentials in RQLITE_URL into an Authorization header', async () => {
    const store = createRqliteStore(url.replace('http://', 'http://chat:s%40cret@'))
    expect(store.location).not.toContain('cret')
    if (!realRqlite)
      await store.ping() // the double ignores auth; fetch would refuse a URL with credentials
  })
})

describe.skipIf(realRqlite)('the server on rqlite', () => {
  let dir: string
  let chat: TestChat | undefined
  let double: RqliteDouble | undefined
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-rqlite-'))
  })
  afterEach(async () => {
    await chat?.close()
    await double?.close()
    chat = undefined
    double = undefined
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('waits for a sidecar that boots after the app: not ready, then ready', async () => {
    const port = await freePort()
    chat = await startTestChat({ RQLITE_URL: `http://127.0.0.1:${port}` })
    expect((await chat.get('/api/healthz')).status).toBe(200)
    const notReady = await chat.get('/api/readyz')
    expect(notReady.status).toBe(503)
    expect(notReady.body.reason).toMatch(/rqlite store not started/)
    expect((await chat.post('too early')).status).toBe(503)

    double = await startRqliteDouble(port)
    await chat.storeReady
    expect((await chat.get('/api/readyz')).body).toMatchObject({ status: 'ready', store: 'rqlite' })
    expect((await chat.post('now it works')).status).toBe(201)
    expect(double.count('messages')).toBe(1)
    expect(chat.logs.some(l => l.includes('waiting for the store'))).toBe(true)
  })

  it('store down: POST 503 and nothing written, readiness fails, liveness stays; afterwards every acknowledged message is there', async () => {
    const gate = join(dir, 'gate')
    const commands = join(dir, 'commands.conf')
    await writeFile(commands, `touch-arg=touch "$ARG"\n`)
    double = await startRqliteDouble()
    chat = await startTestChat({ RQLITE_URL: double.url, COMMANDS_FILE: commands })
    await chat.storeReady

    const acknowledged: string[] = []
    const send = async (text: string) => {
      const answer = await chat!.post(text)
      if (answer.status === 201)
        acknowledged.push(answer.body.message.text)
      return answer
    }
    for (let i = 0; i < 5; i++) expect((await send(`before ${i}`)).status).toBe(201)

    await double.stop()
    const down = await send('while down')
    expect(down.status).toBe(503)
    expect(down.body.error).toMatch(/^store unavailable: rqlite not reachable/)
    expect(down.body).toMatchObject({ pod: 'chat-test-pod', node: 'phone-test' })
    // A command is not run when its message cannot be stored.
    expect((await send(`/touch-arg ${gate}`)).status).toBe(503)
    expect((await chat.get('/api/messages')).status).toBe(503)
    expect((await chat.get('/api/readyz')).status).toBe(503)
    expect((await chat.get('/api/healthz')).body).toMatchObject({ status: 'ok' })

    await double.start()
    expect((await chat.get('/api/readyz')).status).toBe(200)
    for (let i = 0; i < 5; i++) expect((await send(`after ${i}`)).status).toBe(201)

    const stored = (await chat.all()).map(m => m.text)
    expect(stored).toEqual(acknowledged)
    expect(double.count('messages')).toBe(10)
    expect(await import('node:fs').then(fs => fs.existsSync(gate))).toBe(false)
  })

  it('a command result survives a short store hiccup (the save is retried)', async () => {
    const gate = join(dir, 'hiccup-gate')
    const commands = join(dir, 'hiccup.conf')
    await writeFile(commands, 'gated=while [ ! -e "$ARG" ]; do sleep 0.05; done; echo through\n')
    double = await startRqliteDouble()
    chat = await startTestChat({ RQLITE_URL: double.url, COMMANDS_FILE: commands })
    await chat.storeReady
    const events = await openEvents(`${chat.url}/api/events`)
    try {
      const { body } = await chat.post(`/gated ${gate}`)
      double.failNext(2) // the first two attempts to save the result get a 503
      await writeFile(gate, '')
      await events.waitFor(e => e.event === 'update' && JSON.parse(e.data).id === body.message.id)
      const saved = (await chat.all()).find(m => m.id === body.message.id)
      expect(saved).toMatchObject({ status: 'ok', output: 'through\n' })
    }
    finally {
      events.close()
    }
  })

  it('500 concurrent POSTs store exactly 500 messages', async () => {
    double = await startRqliteDouble()
    chat = await startTestChat({ RQLITE_URL: double.url })
    await chat.storeReady
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => chat!.post(`burst ${i}`)))
    expect(answers.filter(a => a.status === 201)).toHaveLength(500)
    expect(double.count('messages')).toBe(500)
    expect(new Set((await chat.all()).map(m => m.text)).size).toBe(500)
  })

  it('marks commands left running by an earlier run of this pod, or by an earlier pod, when it starts again', async () => {
    double = await startRqliteDouble()
    const store = createRqliteStore(double.url)
    await store.init()
    const left = (await store.insert({ ...message('/slow', 'chat-test-pod'), command: 'slow', status: 'running' })).message
    const other = (await store.insert({ ...message('/slow', 'another-pod'), command: 'slow', status: 'running' })).message
    chat = await startTestChat({ RQLITE_URL: double.url })
    await chat.storeReady
    const all = await chat.all()
    expect(all.find(m => m.id === left.id)).toMatchObject({ status: 'error', output: '[no result: the server restarted while this command ran]' })
    expect(all.find(m => m.id === other.id)).toMatchObject({ status: 'error', output: '[no result: the server restarted while this command ran]' })
  })
})
