/**
 * The live demos' sessions, over the WebSocket (live-demo/shared/protocol.ts): each session is one terminal
 * — a demo script or a shell, on this laptop or a phone (command.ts) — running in a pseudo-terminal
 * (processes.ts). Every window showing the same slide (presenter and audience) attaches to the same
 * session: output fans out to all of them, and a window that attaches late gets what it missed. A
 * session's processes are killed when its terminal is closed or when the last window showing it leaves.
 * The same hub runs the backstage check (phone-check.ts) and feeds ClusterView (cluster-watch.ts).
 */
import type { IPty } from '@lydell/node-pty'
import type { WebSocket } from 'ws'
import type { ClientMessage, ServerMessage, StartRequest, TerminalSize } from '../shared/protocol.ts'
import type { CommandContext } from './command.ts'
import { parseClientMessage, ProtocolError } from '../shared/protocol.ts'
import { ClusterWatch } from './cluster-watch.ts'
import { commandFor } from './command.ts'
import { checkPhone } from './phone-check.ts'
import { killTree, spawnTerminal } from './processes.ts'
import { sshFailure, sshFailureMessage } from './ssh-failure.ts'

export const MAX_SESSIONS = 6
/** What a late window gets of a session's output (its last characters) */
const REPLAY_CHARS = 200_000

export interface HubOptions extends CommandContext {
  /** Milliseconds between SIGHUP and SIGKILL when a session ends */
  killGraceMs: number
  /** The kubectl program ClusterView's live view runs */
  kubectl?: string
}

/** One window, by its socket */
interface Peer {
  send: (message: ServerMessage) => void
}

interface Session {
  id: string
  label: string
  /** The phone it runs on (undefined: this laptop) */
  on?: string
  pty: IPty
  output: string
  peers: Set<Peer>
  exitCode?: number
  ended?: Promise<void>
}

const reason = (error: unknown) => String((error as Error)?.message ?? error)

export class LiveDemoHub {
  private sessions = new Map<string, Session>()
  private peers = new Set<Peer>()
  private cluster: ClusterWatch
  private options: HubOptions
  /** One backstage check at a time (each starts an ssh per phone) */
  private checking = false

  constructor(options: HubOptions) {
    this.options = options
    this.cluster = new ClusterWatch(options.kubectl)
  }

  connect(socket: WebSocket) {
    const peer: Peer = {
      send: (message) => {
        if (socket.readyState === socket.OPEN)
          socket.send(JSON.stringify(message))
      },
    }
    this.peers.add(peer)
    // One frame after the other, answers in order: input sent right after `start` must wait for the terminal to exist.
    let queue = Promise.resolve()
    socket.on('message', (raw, isBinary) => {
      queue = queue.then(() => this.receive(peer, isBinary ? undefined : String(raw)))
    })
    socket.on('close', () => this.disconnect(peer))
    peer.send(this.sessionList())
  }

  /** Handles one frame (undefined: a binary one); whatever goes wrong goes back as an error, to the terminal it concerns. */
  private async receive(peer: Peer, frame: string | undefined) {
    let id: string | undefined
    try {
      if (frame === undefined)
        throw new ProtocolError('binary frames are not part of the protocol: send JSON text')
      const message = parseClientMessage(frame)
      id = 'id' in message ? message.id : undefined
      await this.handle(peer, message)
    }
    catch (error) {
      id ??= error instanceof ProtocolError ? error.id : undefined
      peer.send({ t: 'error', ...(id ? { id } : {}), message: reason(error) })
    }
  }

  async close() {
    this.cluster.stop()
    await Promise.all([...this.sessions.values()].map(s => this.end(s)))
  }

  private sessionList(): ServerMessage {
    return { t: 'sessions', sessions: [...this.sessions.values()].map(s => ({ id: s.id, label: s.label, running: s.exitCode === undefined, ...(s.on ? { on: s.on } : {}) })) }
  }

  private broadcastSessions() {
    const list = this.sessionList()
    for (const peer of this.peers) peer.send(list)
  }

  /** The session a window may act on: it shows it, and it still runs. */
  private runningShownBy(peer: Peer, id: string) {
    const session = this.sessions.get(id)
    return session && session.peers.has(peer) && session.exitCode === undefined ? session : undefined
  }

  private async handle(peer: Peer, message: ClientMessage) {
    switch (message.t) {
      case 'start': {
        const existing = this.sessions.get(message.id)
        if (existing && existing.exitCode === undefined)
          return this.attach(peer, existing)
        if (existing)
          await this.end(existing)
        const { t: _t, id, cols, rows, ...start } = message
        return this.start(peer, id, start as StartRequest, { cols, rows })
      }
      case 'attach': {
        const session = this.sessions.get(message.id)
        if (session)
          this.attach(peer, session)
        return
      }
      case 'detach': {
        const session = this.sessions.get(message.id)
        if (session)
          await this.detach(peer, session)
        return
      }
      case 'input':
        return this.runningShownBy(peer, message.id)?.pty.write(message.data)
      case 'resize':
        return this.runningShownBy(peer, message.id)?.pty.resize(message.cols, message.rows)
      case 'close': {
        const session = this.sessions.get(message.id)
        if (session)
          await this.end(session)
        return
      }
      case 'cluster':
        return message.on ? this.cluster.subscribe(peer) : this.cluster.unsubscribe(peer)
      case 'check':
        // Not awaited: the check takes seconds per phone, this window's other messages must not wait for it.
        this.check(peer).catch(error => peer.send({ t: 'error', message: reason(error) }))
    }
  }

  private async start(peer: Peer, id: string, start: StartRequest, { cols, rows }: TerminalSize) {
    if (this.sessions.size >= MAX_SESSIONS)
      throw new Error(`at most ${MAX_SESSIONS} terminals at once: close one first`)
    const { file, args, label, on, phone } = commandFor(start, this.options)
    const pty = await spawnTerminal({ file, args, cols, rows, cwd: this.options.root, env: { LIVE_DEMO_SESSION: id } })
    const session: Session = { id, label, on, pty, output: '', peers: new Set([peer]) }
    this.sessions.set(id, session)
    const show = (data: string) => {
      session.output = (session.output + data).slice(-REPLAY_CHARS)
      for (const p of session.peers) p.send({ t: 'output', id, data })
    }
    pty.onData(show)
    pty.onExit(({ exitCode }) => {
      const failure = phone && sshFailure(exitCode, session.output)
      if (failure)
        show(`\r\n\x1B[31m✗ ${sshFailureMessage(failure, on!, phone)}\x1B[0m\r\n`)
      session.exitCode = exitCode
      for (const p of session.peers) p.send({ t: 'exit', id, code: exitCode })
      this.broadcastSessions()
    })
    this.broadcastSessions()
  }

  /** The backstage check: the pre-flight script on every phone at once, each result as it comes. */
  private async check(peer: Peer) {
    const setup = this.options.phones
    if (!setup || !Object.keys(setup.phones).length)
      throw new Error('no phones in project.json (livePhones.phones)')
    if (this.checking)
      throw new Error('a check is already running: wait for its results')
    this.checking = true
    try {
      await Promise.all(Object.keys(setup.phones).map(async (phone) => {
        peer.send({ t: 'check', phone, state: 'running' })
        const result = await checkPhone(phone, setup, this.options.ssh)
        peer.send({ t: 'check', state: 'done', ...result })
      }))
    }
    finally {
      this.checking = false
    }
  }

  private attach(peer: Peer, session: Session) {
    if (session.peers.has(peer))
      return
    session.peers.add(peer)
    if (session.output)
      peer.send({ t: 'output', id: session.id, data: session.output })
    if (session.exitCode !== undefined)
      peer.send({ t: 'exit', id: session.id, code: session.exitCode })
  }

  private async detach(peer: Peer, session: Session) {
    session.peers.delete(peer)
    if (!session.peers.size)
      await this.end(session)
  }

  /** Kills the session's processes and forgets it; every window closes its terminal. */
  private end(session: Session): Promise<void> {
    if (!session.ended) {
      this.sessions.delete(session.id)
      this.broadcastSessions()
      session.ended = killTree(session.pty.pid, this.options.killGraceMs)
    }
    return session.ended
  }

  private async disconnect(peer: Peer) {
    this.peers.delete(peer)
    this.cluster.unsubscribe(peer)
    await Promise.all([...this.sessions.values()].filter(s => s.peers.has(peer)).map(s => this.detach(peer, s)))
  }
}
