// Untrusted text never runs as code: every payload arrives byte-exact, as data, and no marker appears.
import type { AiStub } from './support/ai-stub.ts'
import type { TestChat } from './support/chat.ts'
import { Buffer } from 'node:buffer'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runShellCommand } from '../src/commands/runner.ts'
import { startAiStub } from './support/ai-stub.ts'
import { startTestChat } from './support/chat.ts'
import { injectionPayloads } from './support/injection-payloads.ts'

let dir: string
let marker: string
let payloads: string[]
let ai: AiStub
let chat: TestChat

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-injection-'))
  marker = join(dir, 'pwned')
  payloads = injectionPayloads(marker)
  ai = await startAiStub()
  const commands = join(dir, 'commands.conf')
  await writeFile(
    commands,
    [
      '#: prints its argument',
      'echo-arg=printf %s "$ARG"',
      '#: the ConfigMap way to ask the AI app: JSON built by jq, sent by curl',
      `llm-curl=jq -cn --arg text "$ARG" --arg model "$LLM_MODEL" '{text: $text, model: $model}' | curl -sS --max-time 10 -H 'Content-Type: application/json' --data-binary @- "$LLM_URL/ai/text" | jq -r .response`,
    ].join('\n'),
  )
  chat = await startTestChat({ COMMANDS_FILE: commands, LLM_URL: ai.url, MAX_CONCURRENT_COMMANDS: '8', MAX_MESSAGE_LENGTH: '4000' })
})
afterAll(async () => {
  await chat?.close()
  await ai?.close()
  await rm(dir, { recursive: true, force: true })
})

/** Runs the payloads through one command, four at a time, and returns the finished messages in order. */
async function runAll(command: string) {
  const results = []
  for (let i = 0; i < payloads.length; i += 4) {
    const batch = payloads.slice(i, i + 4)
    results.push(...(await Promise.all(batch.map(p => chat.post(`/${command} ${p}`, { wait: true })))))
  }
  return results
}

/** The AI stub got each payload once, byte for byte (four run at a time, so the order may differ). */
function expectArrivedExactly() {
  const sent = payloads.map(p => Buffer.from(p, 'utf8').toString('hex')).sort()
  const received = ai.calls.map(c => Buffer.from(String(c.text), 'utf8').toString('hex')).sort()
  expect(received).toEqual(sent)
  expect(ai.calls.every(c => typeof c.text === 'string')).toBe(true)
}

describe('shell injection', () => {
  it('has a corpus of at least 100 payloads', () => {
    expect(payloads.length).toBeGreaterThanOrEqual(100)
    expect(payloads.every(p => p.trim() !== '' && !p.includes('\0'))).toBe(true)
  })

  it('/echo-arg prints every payload exactly and runs none of them', async () => {
    const results = await runAll('echo-arg')
    results.forEach(({ status, body }, i) => {
      expect(status, payloads[i]).toBe(201)
      expect(body.message.status, payloads[i]).toBe('ok')
      expect(body.message.output, payloads[i]).toBe(payloads[i])
    })
    expect(existsSync(marker)).toBe(false)
  })

  it('the built-in /llm sends every payload byte-exact to the AI app', async () => {
    ai.calls.length = 0
    const results = await runAll('llm')
    results.forEach(({ body }, i) => {
      expect(body.message.status, payloads[i]).toBe('ok')
      expect(body.message.output, payloads[i]).toBe(`You said: ${payloads[i]}`)
    })
    expectArrivedExactly()
    expect(ai.calls.every(c => c.model === 'GEMMA_3_1B_IT')).toBe(true)
    expect(existsSync(marker)).toBe(false)
  })

  it('a commands-file command (jq + curl) sends every payload byte-exact to the AI app', async () => {
    ai.calls.length = 0
    const results = await runAll('llm-curl')
    results.forEach(({ body }, i) => {
      expect(body.message.status, `${payloads[i]}: ${body.message.output}`).toBe('ok')
      expect(body.message.output, payloads[i]).toBe(`You said: ${payloads[i]}\n`)
    })
    expectArrivedExactly()
    expect(existsSync(marker)).toBe(false)
  })

  it('left nothing behind in the marker directory', async () => {
    expect(await readdir(dir)).toEqual(['commands.conf'])
  })

  it('the marker check does notice an injection: an unsafe template (eval) creates it', async () => {
    const control = join(dir, 'control')
    const outcome = await runShellCommand({ command: 'eval "echo $ARG"', env: { ARG: `$(touch ${control})` }, timeoutMs: 5000, maxOutputBytes: 1024 })
    expect(outcome.status).toBe('ok')
    expect(existsSync(control)).toBe(true)
  })
})
