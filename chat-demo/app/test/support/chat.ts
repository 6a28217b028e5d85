// Starts the real chat server (the same start() as main.ts) on port 0 and talks HTTP to it.
import type { RunningChat } from '../../src/main.ts'
import type { Message } from '../../src/store/types.ts'
import { loadConfig } from '../../src/config.ts'
import { memoryLogger } from '../../src/log.ts'
import { start } from '../../src/main.ts'

export interface TestChat extends RunningChat {
  logs: string[]
  /** POST /api/messages {text}; wait=true answers when the command has finished. */
  post: (text: string, options?: { wait?: boolean, path?: string }) => Promise<{ status: number, body: PostAnswer, headers: Headers }>
  /** POST with any body. */
  postRaw: (body: string | Uint8Array<ArrayBuffer>, headers?: Record<string, string>) => Promise<{ status: number, body: Record<string, unknown> }>
  get: (path: string) => Promise<{ status: number, body: Record<string, unknown>, headers: Headers }>
  /** All stored messages, oldest first (walks every page). */
  all: () => Promise<Message[]>
}

export interface PostAnswer {
  message: Message
  pod: string
  node: string
  error?: string
  clear?: boolean
}

export async function startTestChat(env: Record<string, string> = {}): Promise<TestChat> {
  const config = loadConfig({
    PORT: '0',
    AUDIENCE_PORT: '0',
    SQLITE_PATH: ':memory:',
    POD_NAME: 'chat-test-pod',
    NODE_NAME: 'phone-test',
    LLM_URL: 'http://127.0.0.1:9', // nothing listens there unless a test says otherwise
    ...env,
  })
  const log = memoryLogger('json', { pod: config.podName, node: config.nodeName })
  const chat = await start(config, log)
  const json = async (response: Response) => {
    const text = await response.text()
    try {
      return JSON.parse(text)
    }
    catch {
      return { raw: text }
    }
  }
  const helpers = {
    logs: log.lines,
    async post(text: string, options: { wait?: boolean, path?: string } = {}) {
      const path = options.path ?? '/api/messages'
      const response = await fetch(`${chat.url}${path}${options.wait ? '?wait=1' : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
      })
      return { status: response.status, body: await json(response), headers: response.headers }
    },
    async postRaw(body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = { 'content-type': 'application/json' }) {
      const response = await fetch(`${chat.url}/api/messages`, { method: 'POST', headers, body })
      return { status: response.status, body: await json(response) }
    },
    async get(path: string) {
      const response = await fetch(chat.url + path)
      return { status: response.status, body: await json(response), headers: response.headers }
    },
    async all() {
      const messages: Message[] = []
      let before: number | null | undefined
      do {
        const response = await fetch(`${chat.url}/api/messages?limit=200${before ? `&before=${before}` : ''}`)
        const page = (await response.json()) as { messages: Message[], nextBefore: number | null }
        messages.push(...page.messages)
        before = page.nextBefore
      } while (before)
      return messages.reverse()
    },
  }
  return Object.assign(chat, helpers)
}
