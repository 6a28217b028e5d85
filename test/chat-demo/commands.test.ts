// The default commands (ConfigMap chat-commands, key commands.conf) run through the real chat app,
// configured like the pod in chat.yaml, against a stand-in for the phone's AI app that speaks its
// documented API (github.com/parttimenerd/local-android-ai, port 8005). Real /bin/sh, curl and jq.
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RunningChat } from '../../chat-demo/app/src/main.ts'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../chat-demo/app/src/config.ts'
import { createLogger } from '../../chat-demo/app/src/log.ts'
import { start } from '../../chat-demo/app/src/main.ts'
import { chatEnv, commandsConf } from './manifests.ts'

interface Request {
  method: string
  path: string
  contentType: string | undefined
  body: unknown
}

/** The AI app as documented: JSON answers, {error, code, details} on failure. */
function aiApp() {
  const requests: Request[] = []
  let failing: { status: number, body: object } | undefined
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const server: Server = createServer((req: IncomingMessage, res) => {
    let raw = ''
    req.on('data', chunk => (raw += chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://phone')
      let body: unknown = raw
      try {
        body = raw ? JSON.parse(raw) : undefined
      }
      catch {
        // kept as text: the test sees exactly what arrived
      }
      requests.push({ method: req.method ?? '', path: `${url.pathname}${url.search}`, contentType: req.headers['content-type'], body })
      if (failing)
        return send(res, failing.status, failing.body)
      const route = `${req.method} ${url.pathname}`
      switch (route) {
        case 'GET /health':
          return send(res, 200, { status: 'healthy', services: { location: 'available', orientation: 'available', camera: 'available' } })
        case 'GET /status':
          return send(res, 200, { status: 'running', server: 'K3s Phone Server', version: '1.0.0-ai-enabled', features: { location: true, orientation: true, camera: false, ai: true } })
        case 'GET /help':
          return send(res, 200, { server: 'K3s Phone Server API Documentation', endpoints: { 'GET /status': { description: 'Server status with features and permissions' }, 'POST /ai/text': { description: 'Generate text using AI language model' } } })
        case 'GET /ai/models':
          return send(res, 200, {
            models: [
              { name: 'GEMMA_3_1B_IT', displayName: 'Gemma 3 1B', available: true, currentlyLoaded: true },
              { name: 'LLAMA_3_2_1B', displayName: 'Llama 3.2 1B', available: true, currentlyLoaded: false },
              { name: 'DEEPSEEK_R1_1_5B', displayName: 'DeepSeek R1', available: false, currentlyLoaded: false },
            ],
          })
        case 'GET /orientation':
          return send(res, 200, { azimuth: 271.6, pitch: -3.2, roll: 0.4, timestamp: 1, accuracy: 3 })
        case 'GET /capture':
          return send(res, 200, { success: true, image: 'data:image/jpeg;base64,/9j/4AAQ', metadata: { side: url.searchParams.get('side'), outputWidth: 512, outputHeight: 384 } })
        case 'POST /ai/object_detection':
          return send(res, 200, { success: true, objects: [{ category: 'cup', score: 0.912 }, { category: 'laptop', score: 0.671 }], inferenceTime: 150, error: null })
        case 'POST /ai/text': {
          const { text, model } = body as { text: string, model: string }
          return send(res, 200, { response: `You asked: ${text}`, model, metadata: { inferenceTime: 812, tokenCount: 9 } })
        }
        default:
          return send(res, 404, { error: `no route ${route}` })
      }
    })
  })
  return {
    requests,
    server,
    fail(status: number, body: object) {
      failing = { status, body }
    },
    heal() {
      failing = undefined
    },
  }
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** The chat configured like the pod in chat.yaml: embedded SQLite instead of the sidecar, port 0. */
async function startChat(commandsFile: string, llmUrl: string): Promise<RunningChat> {
  const { RQLITE_URL: _sidecar, ...env } = chatEnv()
  const config = loadConfig({ ...env, PORT: '0', AUDIENCE_PORT: '0', SQLITE_PATH: ':memory:', COMMANDS_FILE: commandsFile, LLM_URL: llmUrl })
  const chat = await start(config, createLogger('json', {}, () => {}))
  await chat.storeReady
  return chat
}

async function ask(chat: RunningChat, text: string): Promise<{ status: string, output: string }> {
  const response = await fetch(`${chat.url}/api/messages?wait=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  })
  expect(response.status, text).toBe(201)
  const { message } = (await response.json()) as { message: { status: string, output: string } }
  return { status: message.status, output: message.output.trimEnd() }
}

const ai = aiApp()
let dir: string
let chat: RunningChat
let offline: RunningChat

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chat-commands-'))
  const file = join(dir, 'commands.conf')
  writeFileSync(file, commandsConf())
  chat = await startChat(file, await listen(ai.server))
  // A port nothing listens on: the AI app is not running.
  const closed = createServer()
  const nowhere = await listen(closed)
  await new Promise(resolve => closed.close(resolve))
  offline = await startChat(file, nowhere)
})

beforeEach(() => {
  ai.requests.length = 0
  ai.heal()
})

afterAll(async () => {
  await chat?.close()
  await offline?.close()
  ai.server.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('the default commands, through the real chat app', () => {
  it('/help lists every command of the ConfigMap with its description', async () => {
    const { status, output } = await ask(chat, '/help')
    expect(status).toBe('ok')
    for (const [name, description] of [
      ['/whoami', 'Which pod and which phone (node) answered you'],
      ['/llm', 'Ask the phone\'s LLM, e.g. /llm Why run Kubernetes on a phone?'],
      ['/detect', 'What the phone\'s camera sees'],
    ] as const) {
      expect(output).toMatch(new RegExp(`${name.replace('/', '\\/')} +${description.replace(/[?()]/g, '\\$&')}`))
    }
  })

  it('/whoami names the pod and the node from the downward API', async () => {
    expect(await ask(chat, '/whoami')).toEqual({ status: 'ok', output: 'Hello from pod chat-5d9c7b6f4-x2x7k on node phone-b' })
  })

  it('/date answers with the date', async () => {
    const { status, output } = await ask(chat, '/date')
    expect(status).toBe('ok')
    expect(output).toContain(String(new Date().getUTCFullYear()))
  })

  it('/echo gives the text back as data, never running it', async () => {
    const text = `it's "quoted" $(id) \`id\` ; rm -rf / & $HOME`
    expect(await ask(chat, `/echo ${text}`)).toEqual({ status: 'ok', output: text })
  })

  it('/llm sends {text, model} as JSON to /ai/text and shows the model\'s answer', async () => {
    const question = `Why run "Kubernetes" on a phone? $(id) 'n' \\ ü`
    expect(await ask(chat, `/llm ${question}`)).toEqual({ status: 'ok', output: `You asked: ${question}` })
    expect(ai.requests).toEqual([{ method: 'POST', path: '/ai/text', contentType: 'application/json', body: { text: question, model: 'GEMMA_3_1B_IT' } }])
  })

  it('/llm without a question says how to use it', async () => {
    const { status, output } = await ask(chat, '/llm')
    expect(status).toBe('error')
    expect(output).toMatch(/^Usage: \/llm QUESTION/)
    expect(ai.requests).toEqual([])
  })

  it('/llm explains the AI app\'s error answers, as an error', async () => {
    ai.fail(404, { error: 'AI model not available', code: 'MODEL_NOT_AVAILABLE', details: 'Model GEMMA_3_1B_IT is not downloaded' })
    expect(await ask(chat, '/llm hello')).toEqual({
      status: 'error',
      output: 'The AI app answered MODEL_NOT_AVAILABLE: AI model not available (Model GEMMA_3_1B_IT is not downloaded)\n[exit code 1]',
    })
  })

  it('every AI-app command reports the AI app\'s error answer as an error, not as a success', async () => {
    ai.fail(403, { error: 'Storage permission denied', code: 'STORAGE_PERMISSION_DENIED' })
    for (const command of ['/llm hello', '/models', '/ai-status', '/ai-help', '/orientation', '/detect', '/capture']) {
      expect(await ask(chat, command), command).toEqual({ status: 'error', output: 'The AI app answered STORAGE_PERMISSION_DENIED: Storage permission denied\n[exit code 1]' })
    }
  })

  it('/models, /ai-status and /ai-help summarise the AI app', async () => {
    expect(await ask(chat, '/models')).toEqual({ status: 'ok', output: 'GEMMA_3_1B_IT (loaded)\nLLAMA_3_2_1B (downloaded)\nDEEPSEEK_R1_1_5B' })
    expect(await ask(chat, '/ai-status')).toEqual({
      status: 'ok',
      output: 'K3s Phone Server 1.0.0-ai-enabled: running, features: location=true, orientation=true, camera=false, ai=true',
    })
    expect(await ask(chat, '/ai-help')).toEqual({
      status: 'ok',
      output: 'GET /status: Server status with features and permissions\nPOST /ai/text: Generate text using AI language model',
    })
  })

  it('/orientation, /detect and /capture use the sensors and the camera', async () => {
    expect(await ask(chat, '/orientation')).toEqual({ status: 'ok', output: 'azimuth 272°, pitch -3°, roll 0°' })
    expect(await ask(chat, '/detect front')).toEqual({ status: 'ok', output: 'cup 91%, laptop 67%' })
    expect(await ask(chat, '/capture')).toEqual({ status: 'ok', output: 'Took a 512x384 photo with the rear camera' })
    expect(await ask(chat, '/capture $(id)')).toEqual({ status: 'ok', output: 'Took a 512x384 photo with the rear camera' })
    expect(ai.requests.map(r => [r.method, r.path, r.body])).toEqual([
      ['GET', '/orientation', undefined],
      ['POST', '/ai/object_detection', { side: 'front', threshold: 0.5, maxResults: 5 }],
      ['GET', '/capture?side=rear&imageScaling=SMALL', undefined],
      ['GET', '/capture?side=rear&imageScaling=SMALL', undefined],
    ])
  })

  it('every AI-app command says clearly, as an error, when the AI app is not running', async () => {
    for (const command of ['/llm hello', '/models', '/ai-status', '/ai-help', '/orientation', '/detect', '/capture']) {
      const { status, output } = await ask(offline, command)
      expect(status, command).toBe('error')
      expect(output, command).toMatch(/No answer from the AI app at http:\/\/127\.0\.0\.1:\d+ — is it running on the phone labelled llm=true\?/)
    }
  })
})
