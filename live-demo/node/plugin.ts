/**
 * Live demos in the deck's dev server (`npm run dev` only): a slide's script runs in a pseudo-terminal on
 * this laptop or a phone and its output appears in a terminal on the slide; ClusterView follows the
 * cluster live. This plugin wires the parts to the dev server: the rules (guard.ts) decide whether it
 * offers them at all; a page from an allowed origin gets the per-start random token (and the list of
 * runnable scripts) from POST SESSION_PATH; the WebSocket SOCKET_PATH checks Origin, Host and token
 * again (Vite's own HMR token doesn't protect a custom upgrade handler) and hands the socket to the hub
 * (hub.ts).
 *
 * Registered by the live-demo addon (live-demo/vite.config.ts); `apply: 'serve'` and `configureServer`
 * keep it out of `slidev build` entirely. A deck sets its options in its own vite.config.ts under
 * `liveDemo` (the fixture deck of the browser tests does: test/browser/fixtures/live-demo/vite.config.ts).
 */
import type { Buffer } from 'node:buffer'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import type { Plugin, ResolvedConfig, ViteDevServer } from 'vite'
import type { WebSocketServer } from 'ws'
import type { SessionGrant } from '../shared/protocol.ts'
import type { PhoneSetup, SshOptions } from './phones.ts'
import { randomBytes } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import process from 'node:process'
import { MAX_FRAME_BYTES, SESSION_PATH, SOCKET_PATH } from '../shared/protocol.ts'
import { allowedOrigins, DEFAULT_SCRIPT_DIRS, isLoopbackAddress, listScripts, originProblem, refusalReason, remoteOrigins, sameToken, serveModeOf } from './guard.ts'
import { LiveDemoHub } from './hub.ts'
import { readPhoneSetup } from './phones.ts'

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

declare module 'vite' {
  interface UserConfig {
    /** The live demos' options (live-demo/node/plugin.ts), for a deck that needs other ones than the defaults */
    liveDemo?: LiveDemoOptions
  }
}

function reject(socket: Duplex, status: number, reason: string) {
  socket.end(`HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`)
}

/** The dev-server side of live demos; see the module comment. The config's `liveDemo` overrides `pluginOptions`. */
export function liveDemo(pluginOptions: LiveDemoOptions = {}): Plugin {
  let config: ResolvedConfig
  let options: LiveDemoOptions
  return {
    name: 'live-demo',
    apply: 'serve',
    // The terminal and the player are only imported when first used; pre-bundle them at start, or that
    // first use makes Vite optimize them and reload the page in the middle of the demo.
    config: () => ({ optimizeDeps: { include: ['@xterm/xterm', '@xterm/addon-fit', 'asciinema-player'] } }),
    configResolved(resolved) {
      config = resolved
      options = { ...pluginOptions, ...resolved.liveDemo }
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
      const getHub = () => (hub ??= new LiveDemoHub({ root, dirs, phones, ssh: options.ssh ?? {}, killGraceMs: options.killGraceMs ?? 1500, kubectl: options.kubectl }))
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
        const grant: SessionGrant = { token, scripts: listScripts(root, dirs), phones: Object.keys(phones?.phones ?? {}) }
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(grant))
      })

      const { WebSocketServer: Server } = await import('ws')
      const wss: WebSocketServer = new Server({ noServer: true, maxPayload: MAX_FRAME_BYTES })
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
