// Consistency when the database stumbles: a write rqlite committed but answered with 503 (the commit
// came too late) must not become a second message when the client retries with its idempotency key;
// commands left "running" by an earlier pod, whatever its name, are finished as failed on start-up.
import type { Message } from '../src/store/types.ts'
import type { TestChat } from './support/chat.ts'
import type { RqliteDouble } from './support/rqlite-double.ts'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createRqliteStore } from '../src/store/rqlite.ts'
import { startTestChat } from './support/chat.ts'
import { startRqliteDouble } from './support/rqlite-double.ts'

let dir: string
let double: RqliteDouble | undefined
let chat: TestChat | undefined
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-consistency-'))
  await writeFile(join(dir, 'commands.conf'), 'count=echo ran >> "$ARG"; echo counted\n')
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

async function send(base: string, text: string, key: string, wait = false) {
  const response = await fetch(`${base}/api/messages${wait ? '?wait=1' : ''}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ text }),
  })
  return { status: response.status, body: (await response.json()) as { message: Message, error?: string } }
}

describe('a retry after a late commit', () => {
  it('finds the first copy of a message instead of storing it twice', async () => {
    double = await startRqliteDouble()
    chat = await startTestChat({ RQLITE_URL: double.url })
    await chat.storeReady
    double.commitThenFailNext(1)
    const key = 'c0ffee00-0000-4000-8000-000000000001'
    const first = await send(chat.url, 'said once', key)
    expect(first.status).toBe(503)
    expect(double.count('messages')).toBe(1) // it is stored after all
    const retry = await send(chat.url, 'said once', key)
    expect(retry.status).toBe(201)
    expect(retry.body.message.text).toBe('said once')
    expect(double.count('messages')).toBe(1)
    // Another key is another message.
    expect((await send(chat.url, 'said once', 'c0ffee00-0000-4000-8000-000000000002')).status).toBe(201)
    expect(double.count('messages')).toBe(2)
  })

  it('runs a command once: the retry starts the stored command, a second retry only finds it', async () => {
    double = await startRqliteDouble()
    chat = await startTestChat({ RQLITE_URL: double.url, COMMANDS_FILE: join(dir, 'commands.conf') })
    await chat.storeReady
    const tally = join(dir, 'tally')
    double.commitThenFailNext(1)
    const key = 'c0ffee00-0000-4000-8000-000000000003'
    expect((await send(chat.url, `/count ${tally}`, key)).status).toBe(503)
    const retry = await send(chat.url, `/count ${tally}`, key, true)
    expect(retry.body.message).toMatchObject({ status: 'ok', output: 'counted\n' })
    const again = await send(chat.url, `/count ${tally}`, key, true)
    expect(again.body.message).toMatchObject({ id: retry.body.message.id, status: 'ok' })
    const { readFile } = await import('node:fs/promises')
    expect(await readFile(tally, 'utf8')).toBe('ran\n')
    expect(double.count('messages')).toBe(1)
  })

  it('refuses a key that is not a short token (400)', async () => {
    chat = await startTestChat()
    for (const key of ['', 'x'.repeat(200), 'has space', 'ü']) {
      const answer = await send(chat.url, 'keyed', key)
      expect(answer.status, JSON.stringify(key)).toBe(400)
    }
  })
})

describe('start-up after another pod', () => {
  it('finishes every command left running, whichever pod started it, as failed', async () => {
    double = await startRqliteDouble()
    const store = createRqliteStore(double.url)
    await store.init()
    const message = (pod: string) => ({ text: '/slow', createdAt: new Date().toISOString(), pod, node: 'phone-b', command: 'slow', status: 'running' as const, output: null, finishedAt: null })
    const old = (await store.insert(message('chat-5d9c7b6f4-aaaaa'))).message
    const older = (await store.insert(message('chat-7f00000000-bbbbb'))).message
    chat = await startTestChat({ RQLITE_URL: double.url, POD_NAME: 'chat-5d9c7b6f4-zzzzz' })
    await chat.storeReady
    const all = await chat.all()
    for (const id of [old.id, older.id]) {
      expect(all.find(m => m.id === id)).toMatchObject({ status: 'error', output: '[no result: the server restarted while this command ran]' })
    }
  })
})
