// Byte limits on every answer the app reads (the AI app, rqlite) and sends (history pages): a huge
// answer is cut off and reported, never read whole into the 128 MB heap.
import type { AddressInfo } from 'node:net'
import type { Message } from '../src/store/types.ts'
import type { AiStub } from './support/ai-stub.ts'
import type { TestChat } from './support/chat.ts'
import { Buffer } from 'node:buffer'
import { createServer } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRqliteStore } from '../src/store/rqlite.ts'
import { StoreError } from '../src/store/types.ts'
import { startAiStub } from './support/ai-stub.ts'
import { startTestChat } from './support/chat.ts'

let ai: AiStub
let chat: TestChat
beforeAll(async () => {
  ai = await startAiStub()
  chat = await startTestChat({ LLM_URL: ai.url, COMMAND_TIMEOUT_MS: '20000' })
})
afterAll(async () => {
  await chat.close()
  await ai.close()
})

describe('answers the app reads', () => {
  it('stops reading the AI app\'s answer past 1 MiB and says so, as an error', async () => {
    ai.mode = 'huge'
    const { body } = await chat.post('/llm write me a novel', { wait: true })
    expect(body.message.status).toBe('error')
    expect(body.message.output).toMatch(/larger than 1048576 bytes/)
    expect(ai.hugeBytesSent).toBeLessThan(32 * 1024 * 1024)
  })

  it('refuses an rqlite answer larger than the store\'s limit (StoreError, not a heap full of JSON)', async () => {
    const pad = 'p'.repeat(1024 * 1024)
    const server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"results":[{"rows":[]}],"pad":"')
      for (let i = 0; i < 40; i++) res.write(pad)
      res.end('"}')
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const store = createRqliteStore(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
      const failure = store.list({ limit: 50 })
      await expect(failure).rejects.toBeInstanceOf(StoreError)
      await expect(failure).rejects.toThrow(/larger than/)
    }
    finally {
      server.closeAllConnections()
      server.close()
    }
  })
})

describe('answers the app sends', () => {
  it('keeps a history page under 1 MiB, and paging still reaches every message', async () => {
    const output = 'o'.repeat(60_000)
    const ids: number[] = []
    for (let i = 0; i < 60; i++) {
      const { message } = await chat.store.insert({ text: `big ${i}`, createdAt: new Date().toISOString(), pod: 'p', node: 'n', command: 'big', status: 'ok', output, finishedAt: new Date().toISOString() })
      ids.push(message.id)
    }
    const response = await fetch(`${chat.url}/api/messages?limit=200`)
    const text = await response.text()
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1024 * 1024)
    const page = JSON.parse(text) as { messages: Message[], nextBefore: number | null }
    expect(page.messages.length).toBeGreaterThan(0)
    expect(page.messages.length).toBeLessThan(60)
    expect(page.nextBefore).toBe(page.messages.at(-1)?.id)
    const all = (await chat.all()).map(m => m.id)
    for (const id of ids) expect(all).toContain(id)
  })
})
