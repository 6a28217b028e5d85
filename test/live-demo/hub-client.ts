// Drives the live demos over HTTP and WebSocket the way a browser page (or an attacker's page) would: the
// plugin inside a real Vite dev server on 127.0.0.1 (plugin.test.ts, ssh.test.ts), or the hub alone behind a
// plain WebSocket server (hub.test.ts).
import type { Buffer } from 'node:buffer'
import type { AddressInfo } from 'node:net'
import type { InlineConfig, ViteDevServer } from 'vite'
import type { HubOptions } from '../../live-demo/node/hub.ts'
import type { LiveDemoOptions } from '../../live-demo/node/plugin.ts'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'
import { createServer } from 'vite'
import { expect } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { LiveDemoHub } from '../../live-demo/node/hub.ts'
import { liveDemo } from '../../live-demo/node/plugin.ts'
import { SESSION_PATH, SOCKET_PATH } from '../../live-demo/shared/protocol.ts'

/**
 * A throwaway repository with the demo scripts the tests run (echo-demo/scripts): hello.sh greets, reads a
 * line and echoes it; hold.sh keeps a child in its own process group (job control on, as a shell does for
 * background jobs) that ignores SIGHUP; quick.sh exits 3; evil.sh is a link to a script outside the repository.
 */
export function createDemoRepo() {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'live-demo-repo-')))
  const outside = mkdtempSync(join(tmpdir(), 'live-demo-outside-'))
  const scripts = join(root, 'echo-demo/scripts')
  mkdirSync(scripts, { recursive: true })
  const script = (file: string, body: string) => {
    writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`)
    chmodSync(file, 0o755)
  }
  script(join(scripts, 'hello.sh'), 'echo "hello $1 from $(basename "$PWD")"; read -r line; echo "got $line"')
  script(join(scripts, 'hold.sh'), 'set -m\n(trap "" HUP; exec sleep 300) &\necho "pids $$ $!"\nwait')
  script(join(scripts, 'quick.sh'), 'echo done-quickly; exit 3')
  script(join(outside, 'evil.sh'), 'echo evil')
  symlinkSync(join(outside, 'evil.sh'), join(scripts, 'evil.sh'))
  return {
    root,
    cleanup: () => {
      rmSync(root, { recursive: true, force: true })
      rmSync(outside, { recursive: true, force: true })
    },
  }
}

export interface Server { vite: ViteDevServer, port: number, origin: string, close: () => Promise<void> }

export async function startServer(root: string, options: LiveDemoOptions = {}, config: InlineConfig = {}): Promise<Server> {
  const vite = await createServer({
    ...config,
    root,
    configFile: false,
    logLevel: 'silent',
    server: { host: '127.0.0.1', port: 0, ...config.server },
    plugins: [liveDemo({ scriptDirs: ['echo-demo/scripts'], env: {}, argv: ['node', 'vite'], killGraceMs: 300, ...options })],
  })
  await vite.listen()
  const { port } = vite.httpServer!.address() as AddressInfo
  return { vite, port, origin: `http://127.0.0.1:${port}`, close: () => vite.close() }
}

/** The hub alone behind a WebSocket server on 127.0.0.1 (no origin or token checks: those are the plugin's). */
export async function startHub(options: HubOptions): Promise<{ url: string, close: () => Promise<void> }> {
  const hub = new LiveDemoHub(options)
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise(resolve => wss.once('listening', resolve))
  wss.on('connection', socket => hub.connect(socket))
  const { port } = wss.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      await hub.close()
      for (const socket of wss.clients) socket.terminate()
      await new Promise(resolve => wss.close(resolve))
    },
  }
}

/** Opens a socket to `url` and resolves to its client once open. */
export function open(url: string): Promise<Client> {
  const socket = new WebSocket(url)
  const client = collect(socket)
  return new Promise((done, fail) => {
    socket.on('open', () => done(client))
    socket.on('error', fail)
  })
}

/** POST SESSION_PATH with the given headers (node:http, so Origin and Host are ours to set). */
export function session(server: Server, headers: Record<string, string>, method = 'POST'): Promise<{ status: number, body: Record<string, unknown> }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: `/${SESSION_PATH}`, method, headers }, (res) => {
      let text = ''
      res.on('data', (chunk) => {
        text += chunk
      })
      res.on('end', () => {
        let body: Record<string, unknown>
        try {
          body = JSON.parse(text || '{}')
        }
        catch {
          body = { error: text } // Vite's own host check answers in plain text
        }
        done({ status: res.statusCode ?? 0, body })
      })
    })
    req.on('error', fail)
    req.end('{}')
  })
}

export async function tokenOf(server: Server): Promise<string> {
  const { status, body } = await session(server, { 'origin': server.origin, 'content-type': 'application/json' })
  expect(status).toBe(200)
  return body.token as string
}

/** Opens the socket (collecting its messages from the first one); resolves to the client once open, or to the HTTP status of the refusal. */
export function connect(server: Server, token: string | undefined, origin = server.origin): Promise<Client | number> {
  const url = `ws://127.0.0.1:${server.port}/${SOCKET_PATH}${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`
  const socket = new WebSocket(url, { origin })
  const client = collect(socket)
  return new Promise((done) => {
    socket.on('open', () => done(client))
    socket.on('unexpected-response', (_req, res) => done(res.statusCode ?? 0))
    socket.on('error', () => done(-1))
  })
}

export type Msg = Record<string, unknown> & { t: string }
export type Client = ReturnType<typeof collect>

/** Collects a socket's messages; `until` waits (with a deadline, not a fixed sleep) for one that matches. */
export function collect(socket: WebSocket) {
  const messages: Msg[] = []
  const waiters: { test: (m: Msg) => boolean, done: (m: Msg) => void }[] = []
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as Msg
    messages.push(message)
    for (const waiter of [...waiters]) {
      if (waiter.test(message)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.done(message)
      }
    }
  })
  const output = (id: string) => messages.filter(m => m.t === 'output' && m.id === id).map(m => m.data).join('')
  return {
    socket,
    messages,
    output,
    until(test: (m: Msg) => boolean, what: string, ms = 10_000): Promise<Msg> {
      const found = messages.find(test)
      if (found)
        return Promise.resolve(found)
      return new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages).slice(0, 600)}`)), ms)
        waiters.push({
          test,
          done: (m) => {
            clearTimeout(timer)
            done(m)
          },
        })
      })
    },
    untilOutput(id: string, pattern: RegExp, ms = 10_000) {
      return this.until(() => pattern.test(output(id)), `output ${pattern} of ${id}`, ms).then(() => output(id))
    },
    send(message: object) {
      socket.send(JSON.stringify(message))
    },
    /** Sends a frame as it is (malformed ones included) */
    sendRaw(frame: string | Buffer) {
      socket.send(frame)
    },
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/\) Z /.test(stat) // a zombie has ended
  }
  catch {
    return false
  }
}

export async function waitGone(pids: number[], ms = 5000) {
  const deadline = Date.now() + ms
  while (pids.some(alive) && Date.now() < deadline)
    await new Promise(resolve => setTimeout(resolve, 50))
  return pids.filter(alive)
}
