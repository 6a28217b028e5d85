/**
 * The browser side of live demos (live-demo/node/plugin.ts; the protocol: live-demo/shared/protocol.ts): one
 * WebSocket per window, shared by every terminal and ClusterView on the page. Only ever loaded by a dynamic
 * import behind `import.meta.hot` (only a dev server has it), so the built deck contains none of it.
 *
 * `connectLiveDemo()` resolves to undefined when the dev server doesn't offer live demos (exporting,
 * --remote, another origin): callers then show nothing.
 */
import type { ShallowRef } from 'vue'
import type { ClientMessage, ServerMessage, SessionGrant, SessionInfo } from '../shared/protocol.ts'
import { shallowRef } from 'vue'
import { SESSION_PATH, SOCKET_PATH } from '../shared/protocol.ts'

export interface LiveDemoClient {
  /** The scripts the dev server lets a slide run (paths from the repository root) */
  scripts: string[]
  /** The phones a slide may run them on (project.json livePhones) */
  phones: string[]
  /** The sessions running on the laptop, updated by the server */
  sessions: ShallowRef<SessionInfo[]>
  send: (message: ClientMessage) => void
  /** Subscribes to every server message; returns the unsubscribe function */
  listen: (listener: (message: ServerMessage) => void) => () => void
}

const base = import.meta.env.BASE_URL.endsWith('/') ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`

async function fetchSession(): Promise<SessionGrant | undefined> {
  try {
    const response = await fetch(`${base}${SESSION_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    const body = await response.json().catch(() => ({}))
    if (!response.ok) {
      // eslint-disable-next-line no-console -- the speaker's only word on why the slides show no live demos (callers show nothing)
      console.info(`Live demos: ${body.error ?? `not offered (HTTP ${response.status})`}`)
      return undefined
    }
    return body
  }
  catch {
    return undefined
  }
}

function createClient({ token, scripts, phones }: SessionGrant): Promise<LiveDemoClient | undefined> {
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
      const url = new URL(`${base}${SOCKET_PATH}`, location.href)
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
