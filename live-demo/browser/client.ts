/**
 * The browser side of live demos (live-demo/node/live-demo.ts): one WebSocket per window, shared by every
 * terminal and ClusterView on the page. Only ever loaded by a dynamic import behind
 * `import.meta.hot` (only a dev server has it), so the built deck contains none of it.
 *
 * `connectLiveDemo()` resolves to undefined when the dev server doesn't offer live demos (exporting,
 * --remote, another origin): callers then show nothing.
 */
import { shallowRef, type ShallowRef } from 'vue'
import type { ClusterEvent } from '../../formats/cluster-events.ts'

export interface SessionInfo {
  id: string
  label: string
  running: boolean
  /** The phone it runs on (undefined: this laptop) */
  on?: string
}

/** One phone's backstage check: running, then its result (live-demo/node/phone-check.ts) */
export type CheckMessage =
  | { t: 'check', phone: string, state: 'running' }
  | { t: 'check', phone: string, state: 'done', code: number | null, output: string, problem?: string }

export type ServerMessage =
  | { t: 'sessions', sessions: SessionInfo[] }
  | { t: 'output', id: string, data: string }
  | { t: 'exit', id: string, code: number }
  | { t: 'error', id?: string, message: string }
  | { t: 'cluster', event: ClusterEvent }
  | { t: 'cluster-status', live: boolean, message?: string }
  | CheckMessage

export type ClientMessage =
  | { t: 'start', id: string, script: string, args?: string[], on?: string, cols: number, rows: number }
  | { t: 'start', id: string, shell: true, on?: string, cols: number, rows: number }
  | { t: 'attach' | 'detach' | 'close', id: string }
  | { t: 'input', id: string, data: string }
  | { t: 'resize', id: string, cols: number, rows: number }
  | { t: 'cluster', on: boolean }
  | { t: 'check' }

export interface LiveDemoClient {
  /** The scripts the dev server lets a slide run (paths from the repository root) */
  scripts: string[]
  /** The phones a slide may run them on (project.json livePhones) */
  phones: string[]
  /** The sessions running on the laptop, updated by the server */
  sessions: ShallowRef<SessionInfo[]>
  send(message: ClientMessage): void
  /** Subscribes to every server message; returns the unsubscribe function */
  listen(listener: (message: ServerMessage) => void): () => void
}

const base = import.meta.env.BASE_URL.endsWith('/') ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`

interface SessionGrant { token: string, scripts: string[], phones?: string[] }

async function fetchSession(): Promise<SessionGrant | undefined> {
  try {
    const response = await fetch(`${base}__live-demo/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    const body = await response.json().catch(() => ({}))
    if (!response.ok) {
      console.info(`Live demos: ${body.error ?? `not offered (HTTP ${response.status})`}`)
      return undefined
    }
    return body
  }
  catch {
    return undefined
  }
}

function createClient({ token, scripts, phones = [] }: SessionGrant): Promise<LiveDemoClient | undefined> {
  const sessions = shallowRef<SessionInfo[]>([])
  const listeners = new Set<(message: ServerMessage) => void>()
  const queue: string[] = []
  let socket: WebSocket
  let currentToken = token

  const client: LiveDemoClient = {
    scripts,
    phones,
    sessions,
    send(message) {
      const text = JSON.stringify(message)
      if (socket.readyState === WebSocket.OPEN)
        socket.send(text)
      else
        queue.push(text)
    },
    listen(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }

  return new Promise((resolve) => {
    let opened = false
    const open = () => {
      const url = new URL(`${base}__live-demo/ws`, location.href)
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
      url.searchParams.set('token', currentToken)
      socket = new WebSocket(url)
      socket.addEventListener('open', () => {
        opened = true
        resolve(client)
        for (const text of queue.splice(0)) socket.send(text)
      })
      socket.addEventListener('message', (event) => {
        const message = JSON.parse(String(event.data)) as ServerMessage
        if (message.t === 'sessions')
          sessions.value = message.sessions
        else if (message.t === 'error')
          console.warn(`Live demo: ${message.message}`)
        for (const listener of listeners) listener(message)
      })
      socket.addEventListener('close', () => {
        if (!opened)
          return resolve(undefined)
        // The dev server restarted (new token) or the laptop slept: the server has ended our sessions.
        sessions.value = []
        setTimeout(async () => {
          const fresh = await fetchSession()
          if (fresh) {
            currentToken = fresh.token
            open()
          }
        }, 1000)
      })
    }
    open()
  })
}

let connection: Promise<LiveDemoClient | undefined> | undefined

/** This window's connection to the live-demo hub (one per window), or undefined when there is none. */
export function connectLiveDemo(): Promise<LiveDemoClient | undefined> {
  connection ??= fetchSession().then(session => (session ? createClient(session) : undefined))
  return connection
}
