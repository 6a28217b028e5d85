// The chat itself: stores messages, recognises commands, runs them in the background and announces
// every new or finished message to the connected browsers.
import { basename } from 'node:path'
import type { CommandsSource, FileCommand } from './commands/file.ts'
import { runShellCommand } from './commands/runner.ts'
import type { Limiter } from './commands/runner.ts'
import type { Config } from './config.ts'
import type { LlmClient } from './llm.ts'
import type { Logger } from './log.ts'
import type { Hub } from './sse.ts'
import type { CommandResult, Message, NewMessage, Store } from './store/index.ts'

export interface ChatDeps {
  config: Config
  store: Store
  commands: CommandsSource
  llm: LlmClient
  hub: Hub
  log: Logger
  limiter: Limiter
  version: string
}

export type PostResult =
  | { kind: 'message'; message: Message; /** resolves with the message once its command has finished */ done: Promise<Message> }
  | { kind: 'clear' }

/** All command slots are taken: the request is refused (429) and nothing is stored. */
export class BusyError extends Error {
  constructor(max: number) {
    super(`${max} commands are running already; try again in a moment`)
    this.name = 'BusyError'
  }
}

interface Builtin {
  usage: string
  description: string
}

const BUILTINS: Record<string, Builtin> = {
  help: { usage: '/help', description: 'list the commands' },
  whoami: { usage: '/whoami', description: 'which pod and node answered' },
  clear: { usage: '/clear', description: 'clear your screen (messages stay stored)' },
  llm: { usage: '/llm PROMPT', description: 'ask the LLM on the phone labelled llm=true' },
}

/** "/name rest": the name runs up to the first whitespace, the argument is everything after that one character. */
export function parseCommand(text: string): { name: string; arg: string } | undefined {
  if (!text.startsWith('/')) return undefined
  const match = /^\/(\S*)(?:\s([\s\S]*))?$/.exec(text)
  return { name: match?.[1] ?? '', arg: match?.[2] ?? '' }
}

export interface Chat {
  post(text: string): Promise<PostResult>
  /** Names of all commands, built-in and from the file. */
  commandNames(): string[]
  /** Called once the store answers: commands this pod left running before a restart are marked failed. */
  recover(): Promise<void>
  /** Stops running commands and waits for them to settle. */
  shutdown(): Promise<void>
}

export function createChat(deps: ChatDeps): Chat {
  const { config, store, commands, llm, hub, log, limiter } = deps
  const jobs = new Set<Promise<unknown>>()
  const stopping = new AbortController()
  const now = () => new Date().toISOString()

  const insert = async (message: NewMessage) => {
    const stored = await store.insert(message)
    hub.publish('message', stored, String(stored.id))
    return stored
  }

  /** A command answered at once (help, whoami, unknown): one row, complete when written. */
  const answerNow = async (text: string, command: string, output: string, status: CommandResult['status'] = 'ok'): Promise<PostResult> => {
    const createdAt = now()
    const message = await insert({ text, createdAt, pod: config.podName, node: config.nodeName, command, status, output, finishedAt: createdAt })
    log.info('command', { name: command, status, ms: 0 })
    return { kind: 'message', message, done: Promise.resolve(message) }
  }

  const helpText = () => {
    const file = commands.current()
    const rows: [string, string][] = []
    for (const [name, builtin] of Object.entries(BUILTINS)) if (!file.has(name)) rows.push([builtin.usage, builtin.description])
    const fileRows: [string, string][] = [...file.values()].map((c) => [`/${c.name}`, c.description ?? ''])
    const width = Math.max(...[...rows, ...fileRows].map(([usage]) => usage.length))
    const format = ([usage, description]: [string, string]) => `  ${usage.padEnd(width)}  ${description}`.trimEnd()
    const lines = ['Built in:', ...rows.map(format)]
    if (fileRows.length) lines.push(`From ${basename(config.commandsFile ?? 'the commands file')}:`, ...fileRows.map(format))
    return lines.join('\n')
  }

  const commandNames = () => {
    const names = new Set(Object.keys(BUILTINS))
    for (const name of commands.current().keys()) names.add(name)
    return [...names].sort()
  }

  const cap = (text: string) => {
    const bytes = Buffer.from(text, 'utf8')
    if (bytes.length <= config.maxOutputBytes) return text
    return `${bytes.subarray(0, config.maxOutputBytes).toString('utf8')}\n[output cut at ${config.maxOutputBytes} bytes]`
  }

  /** Saves a finished command; a store hiccup gets a few retries before it is only logged. */
  const save = async (id: number, result: CommandResult) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.finish(id, result)
        return
      } catch (error) {
        if (attempt >= 5 || stopping.signal.aborted) {
          log.error('could not save a command result', { id, error: (error as Error).message })
          return
        }
        await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt))
      }
    }
  }

  const execute = async (message: Message, file: FileCommand | undefined, arg: string): Promise<Message> => {
    const started = performance.now()
    let status: CommandResult['status']
    let output: string
    let exit: number | null | undefined
    if (file) {
      const outcome = await runShellCommand({
        command: file.command,
        // The user's text only ever travels as data: in ARG, never inside the command string.
        env: { ARG: arg, POD_NAME: config.podName, NODE_NAME: config.nodeName, LLM_URL: config.llmUrl, LLM_MODEL: config.llmModel },
        timeoutMs: config.commandTimeoutMs,
        maxOutputBytes: config.maxOutputBytes,
        signal: stopping.signal,
      })
      ;({ status, output } = outcome)
      exit = outcome.exitCode
    } else {
      ;({ status, output } = await llm.ask(arg, stopping.signal))
      output = cap(output)
    }
    const result: CommandResult = { status, output, finishedAt: now() }
    log.info('command', {
      name: message.command ?? '',
      source: file ? 'file' : 'builtin',
      status,
      exit,
      ms: Math.round(performance.now() - started),
      argBytes: Buffer.byteLength(arg),
      outputBytes: Buffer.byteLength(output),
    })
    await save(message.id, result)
    const finished: Message = { ...message, ...result }
    hub.publish('update', finished, String(finished.id))
    return finished
  }

  return {
    async post(text) {
      const command = parseCommand(text)
      if (!command) {
        const message = await insert({ text, createdAt: now(), pod: config.podName, node: config.nodeName, command: null, status: null, output: null, finishedAt: null })
        return { kind: 'message', message, done: Promise.resolve(message) }
      }
      const { name, arg } = command
      const file = commands.current().get(name)
      if (name === 'clear') return { kind: 'clear' }
      if (name === 'help') return answerNow(text, name, helpText())
      if (!file && name === 'whoami') {
        return answerNow(text, name, `pod ${config.podName} on node ${config.nodeName} (chat ${deps.version}, ${store.kind} store)`)
      }
      if (!file && name !== 'llm') {
        const shown = name === '' ? 'A command needs a name after the slash.' : `Unknown command /${name.slice(0, 40)}.`
        return answerNow(text, name.slice(0, 40), `${shown} Commands: ${commandNames().map((n) => `/${n}`).join(' ')} — /help says what they do.`, 'error')
      }
      if (!file && arg.trim() === '') return answerNow(text, name, `Usage: ${BUILTINS.llm?.usage} — ${BUILTINS.llm?.description}.`, 'error')

      const release = limiter.tryAcquire()
      if (!release) throw new BusyError(limiter.max)
      let message: Message
      try {
        message = await insert({ text, createdAt: now(), pod: config.podName, node: config.nodeName, command: name, status: 'running', output: null, finishedAt: null })
      } catch (error) {
        release()
        throw error
      }
      const done = execute(message, file, arg).finally(release)
      jobs.add(done)
      void done.finally(() => jobs.delete(done)).catch(() => {})
      return { kind: 'message', message, done }
    },
    commandNames,
    async recover() {
      const count = await store.interruptRunning(config.podName, {
        status: 'error',
        output: '[no result: the server restarted while this command ran]',
        finishedAt: now(),
      })
      if (count > 0) log.warn('marked commands interrupted by a restart', { count })
    },
    async shutdown() {
      stopping.abort()
      await Promise.allSettled([...jobs])
    },
  }
}
