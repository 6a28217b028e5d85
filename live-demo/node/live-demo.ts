/**
 * Live demos in the deck's dev server (`npm run dev` only): a slide's script runs in a pseudo-terminal on
 * this laptop and its output appears in a terminal on the slide; ClusterView follows the cluster live.
 *
 * Registered in vite.config.ts; `apply: 'serve'` and `configureServer` keep it out of `slidev build`
 * entirely. Running scripts from a web page is dangerous, so every rule is explicit:
 *   - Only when the dev server listens on loopback (not under `slidev --remote`/`--tunnel` or another
 *     host), unless LIVE_DEMO_REMOTE_ORIGIN names the exact extra origin(s) to allow (comma-separated).
 *   - Never while exporting (`slidev export` starts a dev server too): the PDF shows recordings.
 *   - A page gets the per-start random token (and the list of runnable scripts) from
 *     POST /__live-demo/session, answered only to an exact allowed Origin (and Host: no DNS rebinding);
 *     the WebSocket /__live-demo/ws checks Origin, Host and token again. Vite's own HMR token doesn't
 *     protect a custom upgrade handler.
 *   - A client names a script; it must be a *.sh file whose real path (links followed) lies inside one of
 *     the script folders (echo-demo/scripts, chat-demo/scripts). Arguments go to it as argv, never through
 *     a shell. The only other thing a client can start is the explicit plain shell.
 *   - A session's process group (and everything else in its session) is killed when its terminal is
 *     closed or when the last socket showing it drops.
 *   - A slide may name a phone (`runOn`): then the same allow-listed script runs there, over ssh, in the
 *     phone's clone (live-demo/node/phones.ts: phones from project.json only, every argument quoted for the
 *     remote shell, BatchMode and ConnectTimeout so that an unknown host key, a refused key or an
 *     unreachable phone ends the run with a message instead of a question). Ending the local ssh
 *     hangs up the remote terminal, which ends the script there.
 * Every window showing the same slide (presenter and audience) attaches to the same session: output
 * fans out to all of them.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import type { Duplex } from 'node:stream'
import type { IPty } from '@lydell/node-pty'
import type { Plugin, ResolvedConfig, ViteDevServer } from 'vite'
import type { WebSocket, WebSocketServer } from 'ws'
import { JsonStreamSplitter, slimEvent, type ClusterEvent } from '../../formats/cluster-events.ts'
import { checkPhone } from './phone-check.ts'
import { readPhoneSetup, remoteScript, remoteShell, sshArgs, type PhoneSetup, type SshOptions } from './phones.ts'
import { sshFailure, sshFailureMessage } from './ssh-failure.ts'

export const DEFAULT_SCRIPT_DIRS = ['echo-demo/scripts', 'chat-demo/scripts']
export const REMOTE_ORIGIN_ENV = 'LIVE_DEMO_REMOTE_ORIGIN'
/** Endpoints, below the dev server's base path */
export const SESSION_PATH = '__live-demo/session'
export const SOCKET_PATH = '__live-demo/ws'

export interface LiveDemoOptions {
  /** Scripts run from here; script names are relative to it (default: the Vite root, the repository) */
  root?: string
  /** The folders (relative to root) whose scripts a slide may run */
  scriptDirs?: string[]
  /** For tests: the environment and command line to judge (default: this process's) */
  env?: Record<string, string | undefined>
  argv?: string[]
  /** The kubectl program ClusterView's live view runs (default: kubectl from PATH) */
  kubectl?: string
  /** Milliseconds between SIGHUP and SIGKILL when a session ends (default 1500) */
  killGraceMs?: number
  /** The phones a slide may run on (default: livePhones of project.json in root; null: none) */
  phones?: PhoneSetup | null
  /** How to run ssh (tests: a config file with a throwaway key and known_hosts) */
  ssh?: SshOptions
}

// ---------------------------------------------------------------------------------------------------------
// The rules, as plain functions (test/live-demo/rules.test.ts)

/** How Slidev started this server: `dev` (slidev), `export` (slidev export) or `vite` (plain Vite, tests). */
export type ServeMode = 'dev' | 'export' | 'vite'

/** Slidev defines __DEV__ as "true" only in `slidev` dev mode; `slidev export` sets it to "false". */
export function serveModeOf(config: Pick<ResolvedConfig, 'define'>): ServeMode {
  const flag = config.define?.__DEV__
  return flag === undefined ? 'vite' : flag === 'true' || flag === true ? 'dev' : 'export'
}

export function isLoopbackHost(host: string | boolean | undefined): boolean {
  if (host === undefined || host === false)
    return true // Vite's default: localhost
  if (host === true)
    return false // all interfaces
  const name = host.replace(/^\[|\]$/g, '').toLowerCase()
  return name === 'localhost' || isLoopbackAddress(name)
}

export function isLoopbackAddress(address: string): boolean {
  const ip = address.replace(/^::ffff:/i, '')
  return /^127(\.\d{1,3}){3}$/.test(ip) || ip === '::1' || ip === '0:0:0:0:0:0:0:1'
}

/** The origins named in LIVE_DEMO_REMOTE_ORIGIN (comma-separated); each must be a plain http(s) origin. */
export function remoteOrigins(env: Record<string, string | undefined>): string[] {
  const value = env[REMOTE_ORIGIN_ENV]?.trim()
  if (!value)
    return []
  return value.split(',').map(s => s.trim()).filter(Boolean).map((origin) => {
    const url = URL.canParse(origin) ? new URL(origin) : undefined
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, ''))
      throw new Error(`${REMOTE_ORIGIN_ENV}: "${origin}" is not an origin like http://laptop.example:3030`)
    return url.origin
  })
}

export interface ServeFacts {
  mode: ServeMode
  /** server.host from the resolved config */
  host: string | boolean | undefined
  argv: string[]
  env: Record<string, string | undefined>
}

/** Why live demos must stay off for this server, or undefined when they may run. */
export function refusalReason(facts: ServeFacts): string | undefined {
  if (facts.mode === 'export')
    return 'live demos are off while exporting (slidev export): the PDF shows the recordings instead'
  const allowed = remoteOrigins(facts.env).length > 0
  const remoteFlag = facts.argv.find(arg => /^--(remote|tunnel)(=|$)/.test(arg))
  if (remoteFlag && !allowed)
    return `live demos are off: the deck runs with ${remoteFlag.split('=')[0]}, so other machines can reach it, `
      + `and a live demo runs scripts on this laptop. Start it without ${remoteFlag.split('=')[0]}, or allow one exact origin: `
      + `${REMOTE_ORIGIN_ENV}=http://HOST:PORT`
  if (!isLoopbackHost(facts.host) && !allowed)
    return `live demos are off: the dev server listens on ${String(facts.host === true ? 'all interfaces' : facts.host)}, `
      + `not only on this machine. Use the default (localhost), or allow one exact origin: ${REMOTE_ORIGIN_ENV}=http://HOST:PORT`
  return undefined
}

/** The exact origins a page may come from: this server on loopback, plus the explicitly allowed ones. */
export function allowedOrigins(port: number, https: boolean, env: Record<string, string | undefined>): string[] {
  const scheme = https ? 'https' : 'http'
  return [...['localhost', '127.0.0.1', '[::1]'].map(host => `${scheme}://${host}:${port}`), ...remoteOrigins(env)]
}

export function sameToken(given: string | null | undefined, expected: string): boolean {
  if (!given)
    return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Checks a request's Origin and Host headers against the allowed origins; returns the reason to refuse. */
export function originProblem(headers: { origin?: string, host?: string }, origins: string[]): string | undefined {
  if (!headers.origin)
    return 'no Origin header'
  if (!origins.includes(headers.origin))
    return `origin ${headers.origin} is not allowed`
  const hosts = origins.map(origin => new URL(origin).host)
  if (!headers.host || !hosts.includes(headers.host.toLowerCase()))
    return `host ${headers.host ?? '(none)'} is not allowed`
  if (new URL(headers.origin).host !== headers.host.toLowerCase())
    return 'origin and host differ'
  return undefined
}

/**
 * Resolves a script name a client sent (e.g. "echo-demo/scripts/03-deploy-echo.sh") to its real path, or
 * throws: only relative names without `..`, and only regular files whose real path lies inside the real
 * path of one of `dirs` — a link pointing out of them is refused.
 */
export function resolveScript(root: string, dirs: string[], name: unknown): string {
  if (typeof name !== 'string' || !name || name.length > 300 || name.includes('\0'))
    throw new Error('script name missing or malformed')
  if (isAbsolute(name) || name.startsWith('~'))
    throw new Error(`script name must be relative to the repository: ${name}`)
  if (name.split(/[\\/]/).includes('..'))
    throw new Error(`script name must not contain "..": ${name}`)
  if (!name.endsWith('.sh'))
    throw new Error(`only shell scripts (*.sh) run: ${name}`)
  let real: string
  try {
    real = realpathSync(resolve(root, name))
  }
  catch {
    throw new Error(`no such script: ${name}`)
  }
  const inside = dirs.some((dir) => {
    let realDir: string
    try {
      realDir = realpathSync(resolve(root, dir))
    }
    catch {
      return false
    }
    const rel = relative(realDir, real)
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
  })
  if (!inside)
    throw new Error(`not a demo script (only files in ${dirs.join(', ')} may run): ${name}`)
  if (!statSync(real).isFile())
    throw new Error(`not a file: ${name}`)
  return real
}

/** The scripts a slide may run, as names relative to root (what the run buttons offer). */
export function listScripts(root: string, dirs: string[]): string[] {
  return dirs.flatMap((dir) => {
    let names: string[]
    try {
      names = readdirSync(resolve(root, dir))
    }
    catch {
      return []
    }
    return names.map(name => `${dir.replace(/\/$/, '')}/${name}`).filter((name) => {
      try {
        resolveScript(root, dirs, name)
        return true
      }
      catch {
        return false
      }
    })
  }).sort()
}

/** Arguments for a script: at most 16 plain strings, passed as argv (no shell ever sees them). */
export function checkArgs(args: unknown): string[] {
  if (args === undefined)
    return []
  if (!Array.isArray(args) || args.length > 16 || !args.every(arg => typeof arg === 'string' && arg.length <= 200 && !arg.includes('\0')))
    throw new Error('args must be a list of at most 16 short strings')
  return args
}

// ---------------------------------------------------------------------------------------------------------
// Processes

/** The processes in session `sid` (Linux: /proc), so that jobs a shell put in other groups die too. */
function sessionMembers(sid: number): number[] {
  try {
    return readdirSync('/proc').filter(name => /^\d+$/.test(name)).flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        return Number(fields[3]) === sid ? [Number(name)] : []
      }
      catch {
        return []
      }
    })
  }
  catch {
    return [] // no /proc (macOS): the process group is all we can reach
  }
}

function signalAll(leader: number, signal: NodeJS.Signals) {
  for (const target of [-leader, ...sessionMembers(leader)]) {
    try {
      process.kill(target, signal)
    }
    catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  }
  catch {
    return false
  }
}

/**
 * Ends a pseudo-terminal's process and everything it started: SIGHUP to its process group and session
 * (what closing a terminal sends), then SIGKILL after `graceMs` to whatever is left.
 */
export async function killTree(leader: number, graceMs: number): Promise<void> {
  signalAll(leader, 'SIGHUP')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline && (alive(leader) || sessionMembers(leader).length))
    await new Promise(resolve => setTimeout(resolve, 50))
  signalAll(leader, 'SIGKILL')
}

// ---------------------------------------------------------------------------------------------------------
// Sessions and the WebSocket protocol (JSON text frames)
//   client → server: {t:'start', id, script, args?, on?, cols, rows} | {t:'start', id, shell:true, on?, cols, rows}
//                    {t:'attach', id} | {t:'detach', id} | {t:'input', id, data} | {t:'resize', id, cols, rows}
//                    {t:'close', id} | {t:'cluster', on} | {t:'check'}
//   server → client: {t:'sessions', sessions:[{id, label, running, on?}]} | {t:'output', id, data}
//                    {t:'exit', id, code} | {t:'error', id?, message} | {t:'cluster', event}
//                    {t:'cluster-status', live, message?}
//                    {t:'check', phone, state:'running'} | {t:'check', phone, state:'done', code, output, problem?}
//   (`on`: the phone the session runs on, a name from livePhones)

const MAX_SESSIONS = 6
const REPLAY_CHARS = 200_000

interface Session {
  id: string
  label: string
  /** The phone it runs on (undefined: this laptop) */
  on?: string
  pty: IPty
  output: string
  sockets: Set<WebSocket>
  exitCode?: number
  ended?: Promise<void>
}

type Message = Record<string, unknown> & { t?: unknown, id?: unknown }

const clamp = (value: unknown, min: number, max: number, fallback: number) =>
  typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback

const send = (socket: WebSocket, message: object) => {
  if (socket.readyState === socket.OPEN)
    socket.send(JSON.stringify(message))
}

class LiveDemoHub {
  private sessions = new Map<string, Session>()
  private sockets = new Set<WebSocket>()
  private cluster: ClusterWatch
  private root: string
  private dirs: string[]
  private graceMs: number
  private phones: PhoneSetup | undefined
  private ssh: SshOptions
  /** One backstage check at a time (each starts an ssh per phone) */
  private checking = false

  constructor(root: string, dirs: string[], graceMs: number, kubectl: string, phones: PhoneSetup | undefined, ssh: SshOptions) {
    this.root = root
    this.dirs = dirs
    this.graceMs = graceMs
    this.cluster = new ClusterWatch(kubectl)
    this.phones = phones
    this.ssh = ssh
  }

  /** The configured phone of that name, or an error the slide shows. */
  private phone(name: unknown) {
    const phone = typeof name === 'string' && Object.hasOwn(this.phones?.phones ?? {}, name) ? this.phones!.phones[name] : undefined
    if (!phone)
      throw new Error(`no phone ${String(name)} in project.json (livePhones.phones: ${Object.keys(this.phones?.phones ?? {}).join(', ') || 'none'})`)
    return phone
  }

  connect(socket: WebSocket) {
    this.sockets.add(socket)
    // One message after the other: input sent right after `start` must wait for the terminal to exist.
    let queue = Promise.resolve()
    socket.on('message', (raw, isBinary) => {
      if (isBinary)
        return
      let message: Message
      try {
        message = JSON.parse(String(raw))
      }
      catch {
        return send(socket, { t: 'error', message: 'not JSON' })
      }
      queue = queue.then(() => this.handle(socket, message))
        .catch(error => send(socket, { t: 'error', id: message.id, message: String(error?.message ?? error) }))
    })
    socket.on('close', () => this.disconnect(socket))
    send(socket, this.sessionList())
  }

  private sessionList() {
    return { t: 'sessions', sessions: [...this.sessions.values()].map(s => ({ id: s.id, label: s.label, running: s.exitCode === undefined, ...(s.on ? { on: s.on } : {}) })) }
  }

  private broadcastSessions() {
    const list = this.sessionList()
    for (const socket of this.sockets) send(socket, list)
  }

  private async handle(socket: WebSocket, message: Message) {
    const id = typeof message.id === 'string' && /^[\w./:#@-]{1,200}$/.test(message.id) ? message.id : undefined
    switch (message.t) {
      case 'start': {
        if (!id)
          throw new Error('start needs an id')
        const existing = this.sessions.get(id)
        if (existing && existing.exitCode === undefined)
          return this.attach(socket, existing)
        if (existing)
          await this.end(existing)
        return this.start(socket, id, message)
      }
      case 'attach': {
        const session = id && this.sessions.get(id)
        if (session)
          this.attach(socket, session)
        return
      }
      case 'detach': {
        const session = id && this.sessions.get(id)
        if (session)
          await this.detach(socket, session)
        return
      }
      case 'input': {
        const session = id && this.sessions.get(id)
        if (session && session.sockets.has(socket) && session.exitCode === undefined && typeof message.data === 'string')
          session.pty.write(message.data)
        return
      }
      case 'resize': {
        const session = id && this.sessions.get(id)
        if (session && session.sockets.has(socket) && session.exitCode === undefined)
          session.pty.resize(clamp(message.cols, 20, 400, 80), clamp(message.rows, 5, 200, 24))
        return
      }
      case 'close': {
        const session = id && this.sessions.get(id)
        if (session)
          await this.end(session)
        return
      }
      case 'cluster':
        return message.on ? this.cluster.subscribe(socket) : this.cluster.unsubscribe(socket)
      case 'check':
        // Not awaited: the check takes seconds per phone, this socket's other messages must not wait for it.
        this.check(socket).catch(error => send(socket, { t: 'error', message: String(error?.message ?? error) }))
        return
      default:
        throw new Error(`unknown message type ${String(message.t)}`)
    }
  }

  private async start(socket: WebSocket, id: string, message: Message) {
    if (this.sessions.size >= MAX_SESSIONS)
      throw new Error(`at most ${MAX_SESSIONS} terminals at once: close one first`)
    let file: string
    let args: string[]
    let label: string
    const on = message.on === undefined ? undefined : String(message.on)
    const phone = on === undefined ? undefined : this.phone(on)
    if (message.shell === true) {
      file = phone ? this.ssh.program ?? 'ssh' : process.env.SHELL || '/bin/bash'
      args = phone ? sshArgs(phone, this.ssh, remoteShell(this.phones!.clone), true) : []
      label = phone ? `${on}: shell` : 'shell'
    }
    else {
      // The same allow-list either way: a demo script of this repository, by its path in the clone.
      const script = resolveScript(this.root, this.dirs, message.script)
      const name = relative(this.root, script).split(sep).join('/')
      file = phone ? this.ssh.program ?? 'ssh' : '/bin/bash'
      args = phone ? sshArgs(phone, this.ssh, remoteScript(this.phones!.clone, name, checkArgs(message.args)), true) : [script, ...checkArgs(message.args)]
      label = phone ? `${on}: ${name}` : name
    }
    const { spawn: spawnPty } = await import('@lydell/node-pty')
    const env = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined))
    const pty = spawnPty(file, args, {
      name: 'xterm-256color',
      cols: clamp(message.cols, 20, 400, 80),
      rows: clamp(message.rows, 5, 200, 24),
      cwd: this.root,
      env: { ...env, TERM: 'xterm-256color', LIVE_DEMO_SESSION: id },
    })
    const session: Session = { id, label, on, pty, output: '', sockets: new Set([socket]) }
    this.sessions.set(id, session)
    pty.onData((data) => {
      session.output = (session.output + data).slice(-REPLAY_CHARS)
      for (const s of session.sockets) send(s, { t: 'output', id, data })
    })
    pty.onExit(({ exitCode }) => {
      const failure = phone && sshFailure(exitCode, session.output)
      if (failure) {
        const data = `\r\n\x1B[31m✗ ${sshFailureMessage(failure, on!, phone)}\x1B[0m\r\n`
        session.output += data
        for (const s of session.sockets) send(s, { t: 'output', id, data })
      }
      session.exitCode = exitCode
      for (const s of session.sockets) send(s, { t: 'exit', id, code: exitCode })
      this.broadcastSessions()
    })
    this.broadcastSessions()
  }

  /** The backstage check: the pre-flight script on every phone at once, each result as it comes. */
  private async check(socket: WebSocket) {
    const setup = this.phones
    if (!setup || !Object.keys(setup.phones).length)
      throw new Error('no phones in project.json (livePhones.phones)')
    if (this.checking)
      throw new Error('a check is already running: wait for its results')
    this.checking = true
    try {
      await Promise.all(Object.keys(setup.phones).map(async (phone) => {
        send(socket, { t: 'check', phone, state: 'running' })
        const result = await checkPhone(phone, setup, this.ssh)
        send(socket, { t: 'check', state: 'done', ...result })
      }))
    }
    finally {
      this.checking = false
    }
  }

  private attach(socket: WebSocket, session: Session) {
    if (!session.sockets.has(socket)) {
      session.sockets.add(socket)
      if (session.output)
        send(socket, { t: 'output', id: session.id, data: session.output })
      if (session.exitCode !== undefined)
        send(socket, { t: 'exit', id: session.id, code: session.exitCode })
    }
  }

  private async detach(socket: WebSocket, session: Session) {
    session.sockets.delete(socket)
    if (!session.sockets.size)
      await this.end(session)
  }

  /** Kills the session's processes and forgets it; every window closes its terminal. */
  private end(session: Session): Promise<void> {
    if (!session.ended) {
      this.sessions.delete(session.id)
      this.broadcastSessions()
      session.ended = killTree(session.pty.pid, this.graceMs)
    }
    return session.ended
  }

  private async disconnect(socket: WebSocket) {
    this.sockets.delete(socket)
    this.cluster.unsubscribe(socket)
    await Promise.all([...this.sessions.values()].filter(s => s.sockets.has(socket)).map(s => this.detach(socket, s)))
  }

  async close() {
    this.cluster.stop()
    await Promise.all([...this.sessions.values()].map(s => this.end(s)))
  }
}

/** ClusterView's live feed: two `kubectl … --watch` processes shared by all subscribed windows. */
class ClusterWatch {
  private subscribers = new Set<WebSocket>()
  private processes: ChildProcess[] = []
  private objects = new Map<string, ClusterEvent>()
  private status: { t: 'cluster-status', live: boolean, message?: string } | undefined
  private kubectl: string

  constructor(kubectl: string) {
    this.kubectl = kubectl
  }

  subscribe(socket: WebSocket) {
    this.subscribers.add(socket)
    if (!this.processes.length)
      this.start()
    for (const event of this.objects.values()) send(socket, { t: 'cluster', event: { ...event, type: 'ADDED' } })
    if (this.status)
      send(socket, this.status)
  }

  unsubscribe(socket: WebSocket) {
    if (this.subscribers.delete(socket) && !this.subscribers.size)
      this.stop()
  }

  private setStatus(live: boolean, message?: string) {
    this.status = { t: 'cluster-status', live, ...(message ? { message } : {}) }
    for (const socket of this.subscribers) send(socket, this.status)
  }

  private start() {
    this.objects.clear()
    this.status = undefined
    for (const resource of [['nodes'], ['pods', '--all-namespaces']]) {
      const child = spawn(this.kubectl, ['get', ...resource, '-o', 'json', '--watch', '--output-watch-events'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      })
      this.processes.push(child)
      const splitter = new JsonStreamSplitter()
      let errors = ''
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        for (const text of splitter.push(chunk)) {
          let event: ClusterEvent | undefined
          try {
            event = slimEvent(JSON.parse(text))
          }
          catch {
            continue
          }
          if (!event)
            continue
          const key = `${event.kind}/${event.kind === 'Pod' ? `${event.namespace}/` : ''}${event.name}`
          if (event.type === 'DELETED')
            this.objects.delete(key)
          else
            this.objects.set(key, event)
          if (!this.status?.live)
            this.setStatus(true)
          for (const socket of this.subscribers) send(socket, { t: 'cluster', event })
        }
      })
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        errors = (errors + chunk).slice(-2000)
      })
      child.on('error', error => this.setStatus(false, `${this.kubectl}: ${error.message}`))
      child.on('exit', (code) => {
        if (this.processes.includes(child) && code !== null)
          this.setStatus(false, errors.trim().split('\n').at(-1) || `kubectl exited with code ${code}`)
      })
    }
  }

  stop() {
    const processes = this.processes
    this.processes = []
    for (const child of processes) {
      if (child.pid && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM')
        }
        catch {
          // gone
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The Vite plugin

function reject(socket: Duplex, status: number, reason: string) {
  socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`)
}

/** The dev-server side of live demos; see the module comment. */
export function liveDemo(options: LiveDemoOptions = {}): Plugin {
  let config: ResolvedConfig
  return {
    name: 'live-demo',
    apply: 'serve',
    // The terminal and the player are only imported when first used; pre-bundle them at start, or that
    // first use makes Vite optimize them and reload the page in the middle of the demo.
    config: () => ({ optimizeDeps: { include: ['@xterm/xterm', '@xterm/addon-fit', 'asciinema-player'] } }),
    configResolved(resolved) {
      config = resolved
    },
    async configureServer(server: ViteDevServer) {
      const httpServer = server.httpServer
      if (!httpServer)
        return // middleware mode (e.g. Vitest): no server of our own to guard
      const env = options.env ?? process.env
      const root = realpathSync(options.root ?? config.root)
      const dirs = options.scriptDirs ?? DEFAULT_SCRIPT_DIRS
      const base = config.base.endsWith('/') ? config.base : `${config.base}/`
      const token = randomBytes(32).toString('base64url')
      let refused = refusalReason({ mode: serveModeOf(config), host: config.server.host, argv: options.argv ?? process.argv, env })
      let origins: string[] = []

      httpServer.once('listening', () => {
        const address = httpServer.address() as AddressInfo | null
        if (!refused && address && !isLoopbackAddress(address.address) && !remoteOrigins(env).length)
          refused = `live demos are off: the dev server listens on ${address.address}, not only on this machine`
        origins = address ? allowedOrigins(address.port, Boolean(config.server.https), env) : []
        if (refused)
          config.logger.warn(`\n  ${refused}\n`)
        else if (serveModeOf(config) !== 'vite')
          config.logger.info(`  live demos: a run button on every code slide (key t; Shift+T: a plain shell), only for ${origins[0]}`)
      })

      let hub: LiveDemoHub | undefined
      const phones = options.phones === null ? undefined : options.phones ?? readPhoneSetup(resolve(root, 'project.json'))
      const getHub = () => (hub ??= new LiveDemoHub(root, dirs, options.killGraceMs ?? 1500, options.kubectl ?? 'kubectl', phones, options.ssh ?? {}))
      httpServer.on('close', () => void hub?.close())

      server.middlewares.use(`${base}${SESSION_PATH}`, (request: IncomingMessage, response: ServerResponse) => {
        const deny = (status: number, error: string) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error }))
        if (refused)
          return deny(403, refused)
        if (request.method !== 'POST')
          return deny(405, 'POST only')
        const problem = originProblem(request.headers, origins)
        if (problem)
          return deny(403, problem)
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ token, scripts: listScripts(root, dirs), phones: Object.keys(phones?.phones ?? {}) }))
      })

      const { WebSocketServer: Server } = await import('ws')
      const wss: WebSocketServer = new Server({ noServer: true, maxPayload: 256 * 1024 })
      httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        const url = new URL(request.url ?? '/', 'http://localhost')
        if (url.pathname !== `${base}${SOCKET_PATH}`)
          return // Vite's HMR and other upgrades
        if (refused)
          return reject(socket, 403, refused)
        const problem = originProblem(request.headers, origins)
          ?? (sameToken(url.searchParams.get('token'), token) ? undefined : 'missing or wrong token')
        if (problem)
          return reject(socket, 403, problem)
        wss.handleUpgrade(request, socket, head, ws => getHub().connect(ws))
      })
    },
  }
}
