// The HTTP API against the real server (embedded SQLite in memory).
import type { TestChat } from './support/chat.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestChat } from './support/chat.ts'
import { openEvents } from './support/sse-client.ts'

let chat: TestChat
beforeAll(async () => {
  chat = await startTestChat({ MAX_MESSAGE_LENGTH: '500' })
})
afterAll(async () => {
  await chat.close()
})

describe('messages', () => {
  it('stores a message and gives it back, saying which pod and node handled it', async () => {
    const posted = await chat.post('Hello from the front row 👋')
    expect(posted.status).toBe(201)
    expect(posted.headers.get('x-pod-name')).toBe('chat-test-pod')
    expect(posted.headers.get('x-node-name')).toBe('phone-test')
    expect(posted.body).toMatchObject({ pod: 'chat-test-pod', node: 'phone-test' })
    const { message } = posted.body
    expect(message).toMatchObject({ text: 'Hello from the front row 👋', pod: 'chat-test-pod', node: 'phone-test', command: null, output: null })
    expect(Date.parse(message.createdAt)).not.toBeNaN()

    const listed = await chat.get('/api/messages?limit=1')
    expect(listed.status).toBe(200)
    expect(listed.headers.get('x-pod-name')).toBe('chat-test-pod')
    expect(listed.body.messages).toEqual([message])
  })

  it('has one name for posting: POST /api/message is not a route', async () => {
    expect((await chat.post('via a name that is gone', { path: '/api/message' })).status).toBe(404)
  })

  it('pages newest first with ?before and ?limit', async () => {
    const ids: number[] = []
    for (let i = 0; i < 25; i++) ids.push((await chat.post(`page test ${i}`)).body.message.id)
    const newest = ids.at(-1) as number

    const first = await chat.get('/api/messages?limit=10')
    const firstIds = (first.body.messages as { id: number }[]).map(m => m.id)
    expect(firstIds).toEqual(ids.slice(-10).reverse())
    expect(first.body.nextBefore).toBe(firstIds.at(-1))

    const second = await chat.get(`/api/messages?limit=10&before=${first.body.nextBefore}`)
    expect((second.body.messages as { id: number }[]).map(m => m.id)).toEqual(ids.slice(-20, -10).reverse())

    // The last page is short and says there is nothing more.
    const all = await chat.all()
    expect(all.map(m => m.id)).toEqual([...all.map(m => m.id)].sort((a, b) => a - b))
    expect(all.at(-1)?.id).toBe(newest)
    const last = await chat.get(`/api/messages?limit=10&before=${all[3]?.id}`)
    expect(last.body.messages).toHaveLength(3)
    expect(last.body.nextBefore).toBeNull()
  })

  it('refuses bad paging parameters with 400', async () => {
    for (const query of ['limit=0', 'limit=201', 'limit=abc', 'before=-1', 'before=1.5']) {
      const answer = await chat.get(`/api/messages?${query}`)
      expect(answer.status, query).toBe(400)
      expect(answer.body.error).toMatch(/before|limit/)
    }
  })
})

describe('bad requests', () => {
  it('answers 4xx for invalid JSON, a wrong shape, empty and oversized messages', async () => {
    const cases: [string, number, RegExp][] = [
      ['{"text": ', 400, /JSON/],
      ['not json at all', 400, /JSON/],
      ['', 400, /JSON/],
      ['[]', 400, /JSON/],
      ['{"text": 42}', 400, /JSON/],
      ['{"message": "hi"}', 400, /JSON/],
      ['{"text": ""}', 400, /empty/],
      ['{"text": "  \\n\\t "}', 400, /empty/],
      ['{"text": "a\\u0000b"}', 400, /NUL/],
      ['{"text": "\\ud800"}', 400, /Unicode/],
      [JSON.stringify({ text: 'x'.repeat(501) }), 413, /501 characters; at most 500/],
      [JSON.stringify({ text: 'y'.repeat(100_000) }), 413, /larger than/],
    ]
    const before = (await chat.all()).length
    for (const [body, status, error] of cases) {
      const answer = await chat.postRaw(body)
      expect(answer.status, String(body).slice(0, 40)).toBe(status)
      expect(answer.body.error).toMatch(error)
      expect(answer.body).toMatchObject({ pod: 'chat-test-pod', node: 'phone-test' })
    }
    // Exactly the maximum is fine, counted in characters (an emoji is one).
    expect((await chat.post('😀'.repeat(500))).status).toBe(201)
    expect((await chat.all()).length).toBe(before + 1)
  })

  it('answers 404 for unknown routes, with who answered', async () => {
    for (const path of ['/nope', '/api', '/api/messages/1', '/../etc/passwd', '/public/app.js']) {
      const answer = await chat.get(path)
      expect(answer.status, path).toBe(404)
      expect(answer.headers.get('x-node-name')).toBe('phone-test')
    }
    const del = await fetch(`${chat.url}/api/messages`, { method: 'DELETE' })
    expect(del.status).toBe(404)
  })
})

describe('health and info', () => {
  it('reports liveness, readiness and what runs where', async () => {
    expect((await chat.get('/api/healthz')).body).toMatchObject({ status: 'ok', pod: 'chat-test-pod', node: 'phone-test' })
    expect((await chat.get('/api/readyz')).body).toMatchObject({ status: 'ready', store: 'sqlite' })
    const info = await chat.get('/api/info')
    expect(info.body).toMatchObject({ name: 'chat', pod: 'chat-test-pod', node: 'phone-test', store: 'sqlite', llmModel: 'GEMMA_3_1B_IT' })
    expect(info.body.version).toMatch(/^\d+\.\d+\.\d+/)
    expect(info.body.commands).toEqual(['clear', 'help', 'hide', 'llm', 'pause', 'resume', 'whoami'])
  })

  it('serves the page with a strict content security policy', async () => {
    const page = await fetch(`${chat.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.headers.get('content-security-policy')).toContain('script-src \'self\'')
    expect(await page.text()).toContain('<script src="/app.js" defer></script>')
    for (const path of ['/app.js', '/style.css', '/icon.svg']) expect((await fetch(chat.url + path)).status, path).toBe(200)
  })
})

describe('built-in commands', () => {
  it('/whoami names the pod and the node', async () => {
    const { status, body } = await chat.post('/whoami')
    expect(status).toBe(201)
    expect(body.message).toMatchObject({ command: 'whoami', status: 'ok', text: '/whoami' })
    expect(body.message.output).toContain('pod chat-test-pod on node phone-test')
  })

  it('/help lists every command with its description', async () => {
    const { body } = await chat.post('/help')
    expect(body.message.output).toMatch(/\/help\s+list the commands/)
    expect(body.message.output).toMatch(/\/llm PROMPT\s+ask the LLM on the phone labelled llm=true/)
    expect(body.message.output).toMatch(/\/clear/)
  })

  it('/clear only clears the screen: nothing is stored or deleted', async () => {
    const before = (await chat.all()).length
    const { status, body } = await chat.post('/clear')
    expect(status).toBe(200)
    expect(body).toMatchObject({ clear: true, pod: 'chat-test-pod' })
    expect((await chat.all()).length).toBe(before)
  })

  it('an unknown command gets a helpful answer', async () => {
    const { status, body } = await chat.post('/dance now')
    expect(status).toBe(201)
    expect(body.message).toMatchObject({ command: 'dance', status: 'error' })
    expect(body.message.output).toContain('Unknown command /dance.')
    expect(body.message.output).toContain('/help')
    expect((await chat.post('/')).body.message.output).toContain('needs a name')
  })

  it('/llm without a prompt explains its usage', async () => {
    const { body } = await chat.post('/llm   ')
    expect(body.message).toMatchObject({ command: 'llm', status: 'error' })
    expect(body.message.output).toMatch(/^Usage: \/llm PROMPT/)
  })
})

describe('live updates', () => {
  it('pushes a new message to every connected browser', async () => {
    const a = await openEvents(`${chat.url}/api/events`)
    const b = await openEvents(`${chat.url}/api/events`)
    try {
      for (const client of [a, b]) {
        const hello = await client.waitFor(e => e.event === 'hello')
        expect(JSON.parse(hello.data)).toMatchObject({ pod: 'chat-test-pod', node: 'phone-test' })
      }
      const { body } = await chat.post('everyone sees this')
      for (const client of [a, b]) {
        const event = await client.waitFor(e => e.event === 'message' && JSON.parse(e.data).id === body.message.id)
        expect(JSON.parse(event.data)).toEqual(body.message)
      }
    }
    finally {
      a.close()
      b.close()
    }
  })

  it('a browser that goes away is dropped from the hub', async () => {
    const client = await openEvents(`${chat.url}/api/events`)
    await client.waitFor(e => e.event === 'hello')
    const before = chat.hub.size
    client.close()
    // The hub notices on its next write to the closed stream.
    for (let i = 0; i < 50 && chat.hub.size >= before; i++) {
      await chat.post(`ping ${i}`)
      await new Promise(resolve => setImmediate(resolve))
    }
    expect(chat.hub.size).toBeLessThan(before)
  })
})

describe('load', () => {
  it('500 concurrent POSTs store exactly 500 messages', async () => {
    const before = (await chat.all()).length
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => chat.post(`burst ${i}`)))
    expect(answers.map(a => a.status)).toEqual(Array.from({ length: 500 }).fill(201))
    const ids = new Set(answers.map(a => a.body.message.id))
    expect(ids.size).toBe(500)
    const all = await chat.all()
    expect(all.length).toBe(before + 500)
    const burst = all.filter(m => m.text.startsWith('burst '))
    expect(new Set(burst.map(m => m.text)).size).toBe(500)
  })
})

describe('logs', () => {
  it('writes one line per request with pod, node, status and duration', async () => {
    await chat.get('/api/healthz')
    const lines = chat.logs.map(line => JSON.parse(line)).filter(l => l.msg === 'request' && l.path === '/api/healthz')
    expect(lines.at(-1)).toMatchObject({ level: 'info', method: 'GET', status: 200 })
    expect(typeof lines.at(-1).ms).toBe('number')
  })
})
