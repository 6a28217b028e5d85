// The built-in /llm against a stand-in for the phone's AI app: answers and failures become clear chat text.
import type { AddressInfo } from 'node:net'
import type { AiStub } from './support/ai-stub.ts'
import type { TestChat } from './support/chat.ts'
import { createServer } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startAiStub } from './support/ai-stub.ts'
import { startTestChat } from './support/chat.ts'
import { openEvents } from './support/sse-client.ts'

let ai: AiStub
let chat: TestChat
beforeAll(async () => {
  ai = await startAiStub()
  chat = await startTestChat({ LLM_URL: ai.url, LLM_MODEL: 'GEMMA_3_1B_IT', COMMAND_TIMEOUT_MS: '1000' })
})
afterEach(() => {
  ai.mode = 'ok'
  ai.calls.length = 0
})
afterAll(async () => {
  await chat.close()
  await ai.close()
})

describe('/llm', () => {
  it('sends {"text", "model"} as JSON to /ai/text and shows the response', async () => {
    const { status, body } = await chat.post('/llm Why run Kubernetes on a phone?', { wait: true })
    expect(status).toBe(201)
    expect(body.message).toMatchObject({ command: 'llm', status: 'ok', output: 'You said: Why run Kubernetes on a phone?' })
    expect(ai.calls).toHaveLength(1)
    expect(JSON.parse(ai.calls[0]?.raw.toString() ?? '')).toEqual({ text: 'Why run Kubernetes on a phone?', model: 'GEMMA_3_1B_IT' })
  })

  it('shows the message while it thinks, then announces the answer', async () => {
    const events = await openEvents(`${chat.url}/api/events`)
    try {
      const { body } = await chat.post('/llm hello')
      expect(body.message).toMatchObject({ status: 'running', output: null })
      const id = body.message.id
      expect(JSON.parse((await events.waitFor(e => e.event === 'message' && JSON.parse(e.data).id === id)).data).status).toBe('running')
      const update = await events.waitFor(e => e.event === 'update' && JSON.parse(e.data).id === id)
      expect(JSON.parse(update.data)).toMatchObject({ status: 'ok', output: 'You said: hello', text: '/llm hello' })
    }
    finally {
      events.close()
    }
  })

  it('turns 404 MODEL_NOT_AVAILABLE into advice', async () => {
    ai.mode = 'missing-model'
    const { body } = await chat.post('/llm hi', { wait: true })
    expect(body.message.status).toBe('error')
    expect(body.message.output).toBe(
      `The AI app at ${ai.url} answered HTTP 404 MODEL_NOT_AVAILABLE: Model not available (GEMMA_3_1B_IT is not downloaded) — model GEMMA_3_1B_IT: download the model in the AI app on that phone, or set LLM_MODEL to one it has.`,
    )
  })

  it('says when the AI app does not answer in time', async () => {
    ai.mode = 'hang'
    const { body } = await chat.post('/llm are you there?', { wait: true })
    expect(body.message.status).toBe('timeout')
    expect(body.message.output).toMatch(/^LLM at http:\/\/127\.0\.0\.1:\d+ did not answer within 1 s — a cold model can take minutes/)
  })

  it('says when an answer is not the AI app\'s JSON', async () => {
    ai.mode = 'not-json'
    const { body } = await chat.post('/llm hi', { wait: true })
    expect(body.message).toMatchObject({ status: 'error' })
    expect(body.message.output).toBe(`Unexpected answer from ${ai.url}/ai/text (HTTP 500): Internal Server Error`)
  })
})

describe('/llm with nothing listening', () => {
  let lonely: TestChat
  let port: number
  beforeAll(async () => {
    // Take a free port and close it again: connecting there is refused.
    const probe = createServer()
    await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve))
    port = (probe.address() as AddressInfo).port
    await new Promise(resolve => probe.close(resolve))
    lonely = await startTestChat({ LLM_URL: `http://127.0.0.1:${port}` })
  })
  afterAll(async () => {
    await lonely.close()
  })

  it('explains where the AI app should be running', async () => {
    const { body } = await lonely.post('/llm hello?', { wait: true })
    expect(body.message.status).toBe('error')
    expect(body.message.output).toBe(
      `LLM not reachable at http://127.0.0.1:${port} (ECONNREFUSED) — is the AI app running on the node labelled llm=true?`,
    )
  })
})
