// The chat itself: stores messages, recognises commands, runs them in the background and announces
// every new or finished message to the connected browsers.
import type { AudienceState } from './audience.ts'
import type { CommandsSource, FileCommand } from './commands/file.ts'
import type { CommandQueue } from './commands/queue.ts'
import type { Config } from './config.ts'
import type { LlmClient } from './llm.ts'
import type { Logger } from './log.ts'
import type { Role } from './role.ts'
import type { Hub } from './sse.ts'
import type { CommandResult, Message, NewMessage, Store } from './store/index.ts'
import { Buffer } from 'node:buffer'
import { basename } from 'node:path'
import { runShellCommand } from './commands/runner.ts'

export interface ChatDeps {
  config: Config
  store: Store
  commands: CommandsSource
  llm: LlmClient
  hub: Hub
  log: Logger
  queue: CommandQueue
  audience: AudienceState
  version: string
}

/** Who posts: the listener's role, the sender (for fairness and limits) and the client's idempotency key. */
export interface Poster {
  role: Role
  /** A stable id of the browser (or of the address, without one); every command slot and limit is per sender. */
  sender: string
  /** The client's key for this message: a retry with the same key finds the first copy. */
  key?: string
}

export type PostResult
  = | {
    kind: 'message'
    message: Message
    /** resolves with the message once its command has finished */
    done: Promise<Message>
    /** > 0: the command waits in the queue at this place */
    queuePosition?: number
  }
  | { kind: 'clear' }

/** No place for the command (the sender has one already, or the queue is full): 429, nothing stored. */
export class BusyError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BusyError'
  }
}

/** The audience asked for something only the speaker may do: refused with 403, nothing stored. */
export class ForbiddenError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ForbiddenError'
  }
}

interface Builtin {
  usage: string
  description: string
  speakerOnly?: boolean
}

const BUILTINS: Record<string, Builtin> = {
  help: { usage: '/help', description: 'list the commands' },
  whoami: { usage: '/whoami', description: 'which pod and node answered' },
  clear: { usage: '/clear', description: 'clear your screen (messages stay stored)' },
  llm: { usage: '/llm PROMPT', description: 'ask the LLM on the phone labelled llm=true' },
  hide: { usage: '/hide ID', description: 'hide message ID for everyone (it stays stored)', speakerOnly: true },
  pause: { usage: '/pause', description: 'stop the audience from posting', speakerOnly: true },
  resume: { usage: '/resume', description: 'let the audience post again', speakerOnly: true },
}

/** "/name rest": the name runs up to the first whitespace, the argument is everything after that one character. */
export function parseCommand(text: string): { name: string, arg: string } | undefined {
  if (!text.startsWith('/'))
    return undefined
  const match = /^\/(\S*)(?:\s([\s\S]*))?$/.exec(text)
  return { name: match?.[1] ?? '', arg: match?.[2] ?? '' }
}

export interface Chat {
  post: (text: string, poster: Poster) => Promise<PostResult>
  /** Names of the commands this role may use, built-in and from the file. */
  commandNames: (role: Role) => string[]
  /** Hides a message from every page of history and every screen; false when there is none. */
  hide: (id: number) => Promise<boolean>
  /** Called once the store answers: commands an earlier process or pod left running are marked failed. */
  recover: () => Promise<void>
  /** Stops running commands and waits for them to settle. */
  shutdown: () => Promise<void>
}

export function createChat(deps: ChatDeps): Chat {
  const { config, store, commands, llm, hub, log, queue, audience } = deps
  /** Commands of this process that wait or run, by message id. */
  const jobs = new Map<number, Promise<Message>>()
  const stopping = new AbortController()
  const now = () => new Date().toISOString()

  const insertOnce = async (message: NewMessage, key?: string) => {
    const inserted = await store.insert(message, key)
    if (inserted.created)
      hub.publish('message', inserted.message)
    return inserted
  }
  const insert = async (message: NewMessage, key?: string) => (await insertOnce(message, key)).message

  /** A command answered at once (help, whoami, unknown): one row, complete when written. */
  const answerNow = async (text: string, command: string, output: string, status: CommandResult['status'] = 'ok', key?: string): Promise<PostResult> => {
    const createdAt = now()
    const message = await insert({ text, createdAt, pod: config.podName, node: config.nodeName, command, status, output, finishedAt: createdAt }, key)
    log.info('command', { name: command, status, ms: 0 })
    return { kind: 'message', message, done: Promise.resolve(message) }
  }

  const allowed = (role: Role, speakerOnly: boolean | undefined) => role === 'speaker' || !speakerOnly

  const helpText = (role: Role) => {
    const file = commands.current()
    const mark = (speakerOnly: boolean | undefined, description: string) => (speakerOnly ? `${description} (speaker only)`.trim() : description)
    const rows: [string, string][] = []
    for (const [name, builtin] of Object.entries(BUILTINS)) {
      if (!file.has(name) && allowed(role, builtin.speakerOnly))
        rows.push([builtin.usage, mark(builtin.speakerOnly, builtin.description)])
    }
    const fileRows: [string, string][] = [...file.values()]
      .filter(c => allowed(role, c.speakerOnly))
      .map(c => [`/${c.name}`, mark(c.speakerOnly, c.description ?? '')])
    const width = Math.max(...[...rows, ...fileRows].map(([usage]) => usage.length))
    const format = ([usage, description]: [string, string]) => `  ${usage.padEnd(width)}  ${description}`.trimEnd()
    const lines = ['Built in:', ...rows.map(format)]
    if (fileRows.length)
      lines.push(`From ${basename(config.commandsFile ?? 'the commands file')}:`, ...fileRows.map(format))
    return lines.join('\n')
  }

  const commandNames = (role: Role) => {
    const file = commands.current()
    const names = new Set<string>()
    for (const [name, builtin] of Object.entries(BUILTINS)) {
      if (!file.has(name) && allowed(role, builtin.speakerOnly))
        names.add(name)
    }
    for (const c of file.values()) {
      if (allowed(role, c.speakerOnly))
        names.add(c.name)
    }
    return [...names].sort()
  }

  const hide = async (id: number) => {
    const found = await store.hide(id)
    if (found)
      hub.publish('hide', { id })
    return found
  }

  /** /hide, /pause, /resume: the speaker's own commands, answered at once. */
  const speakerCommand = async (text: string, name: string, arg: string, key?: string): Promise<PostResult> => {
    if (name === 'hide') {
      const id = /^\s*#?(\d{1,15})\s*$/.exec(arg)?.[1]
      if (!id)
        return answerNow(text, name, `Usage: ${BUILTINS.hide?.usage} — the number of the message (shown as #ID on the page).`, 'error', key)
      return (await hide(Number(id)))
        ? answerNow(text, name, `message ${id} is hidden for everyone (it stays stored)`, 'ok', key)
        : answerNow(text, name, `there is no message ${id}`, 'error', key)
    }
    const posting = name === 'resume'
    audience.setPosting(posting)
    return answerNow(text, name, posting ? 'the audience can post again' : 'the audience is paused: only the speaker can post', 'ok', key)
  }

  const cap = (text: string) => {
    const bytes = Buffer.from(text, 'utf8')
    if (bytes.length <= config.maxOutputBytes)
      return text
    return `${bytes.subarray(0, config.maxOutputBytes).toString('utf8')}\n[output cut at ${config.maxOutputBytes} bytes]`
  }

  /** Saves a finished command; a store hiccup gets a few retries before it is only logged. */
  const save = async (id: number, result: CommandResult) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.finish(id, result)
        return
      }
      catch (error) {
        if (attempt >= 5 || stopping.signal.aborted) {
          log.error('could not save a command result', { id, error: (error as Error).message })
          return
        }
        await new Promise(resolve => setTimeout(resolve, 250 * 2 ** attempt))
      }
    }
  }

  const execute = async (message: Message, file: FileCommand | undefined, arg: string): Promise<Message> => {
    const started = performance.now()
    let status: CommandResult['status']
    let output: string
    let exit: number | null | undefined
    if (stopping.signal.aborted) {
      status = 'error'
      output = '[stopped: the server is shutting down]'
    }
    else if (file) {
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
    }
    else {
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
    hub.publish('update', finished)
    return finished
  }

  return {
    async post(text, poster) {
      const { role, key } = poster
      if (role === 'audience' && !audience.posting)
        throw new ForbiddenError('the speaker has paused the chat for the audience; try again later')
      const command = parseCommand(text)
      if (!command) {
        const message = await insert({ text, createdAt: now(), pod: config.podName, node: config.nodeName, command: null, status: null, output: null, finishedAt: null }, key)
        return { kind: 'message', message, done: Promise.resolve(message) }
      }
      const { name, arg } = command
      const file = commands.current().get(name)
      const builtin = file ? undefined : BUILTINS[name]
      if (!allowed(role, file ? file.speakerOnly : builtin?.speakerOnly))
        throw new ForbiddenError(`/${name} is for the speaker only`)
      if (name === 'clear')
        return { kind: 'clear' }
      if (name === 'help')
        return answerNow(text, name, helpText(role), 'ok', key)
      if (name === 'hide' || name === 'pause' || name === 'resume')
        return speakerCommand(text, name, arg, key)
      if (!file && name === 'whoami') {
        return answerNow(text, name, `pod ${config.podName} on node ${config.nodeName} (chat ${deps.version}, ${store.kind} store)`, 'ok', key)
      }
      if (!file && name !== 'llm') {
        const shown = name === '' ? 'A command needs a name after the slash.' : `Unknown command /${name.slice(0, 40)}.`
        return answerNow(text, name.slice(0, 40), `${shown} Commands: ${commandNames(role).map(n => `/${n}`).join(' ')} — /help says what they do.`, 'error', key)
      }
      if (!file && arg.trim() === '')
        return answerNow(text, name, `Usage: ${BUILTINS.llm?.usage} — ${BUILTINS.llm?.description}.`, 'error', key)

      const place = queue.reserve(poster.sender, role === 'speaker')
      if ('refused' in place) {
        throw new BusyError(
          place.refused === 'sender'
            ? 'your command is still running or waiting; send the next one when it has finished'
            : `${queue.max} commands are running already and the queue is full (${queue.maxQueued} waiting); try again in a moment`,
        )
      }
      let inserted
      try {
        inserted = await insertOnce({ text, createdAt: now(), pod: config.podName, node: config.nodeName, command: name, status: 'running', output: null, finishedAt: null }, key)
      }
      catch (error) {
        place.cancel()
        throw error
      }
      const { message } = inserted
      // A retry of a post this process stored and knows: the same message, the same outcome.
      const known = jobs.get(message.id)
      if (!inserted.created && (known || message.status !== 'running')) {
        place.cancel()
        return { kind: 'message', message, done: known ?? Promise.resolve(message) }
      }
      // New, or stored by an earlier try whose answer got lost (a late commit): run it now, once.
      const done = place.attach(message.id).then(release => execute(message, file, arg).finally(release))
      jobs.set(message.id, done)
      void done.finally(() => jobs.delete(message.id)).catch(() => {})
      return { kind: 'message', message, done, queuePosition: place.position }
    },
    commandNames,
    hide,
    async recover() {
      const count = await store.interruptRunning({
        status: 'error',
        output: '[no result: the server restarted while this command ran]',
        finishedAt: now(),
      })
      if (count > 0)
        log.warn('marked commands interrupted by a restart', { count })
    },
    async shutdown() {
      stopping.abort()
      queue.flush()
      await Promise.allSettled([...jobs.values()])
    },
  }
}
