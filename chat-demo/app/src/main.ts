// The chat server: config → store → commands → routes → listen.
// Run: node chat-demo/app/src/main.ts   (Node 24 runs the TypeScript directly; no build step)
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Chat } from './chat.ts'
import type { CommandsSource } from './commands/file.ts'
import type { Config } from './config.ts'
import type { Logger } from './log.ts'
import type { Asset } from './routes.ts'
import type { SlideState } from './slide.ts'
import type { Hub } from './sse.ts'
import type { Store } from './store/index.ts'
import { readFileSync } from 'node:fs'
import process from 'node:process'
import { createAdaptorServer } from '@hono/node-server'
import { createAudienceState } from './audience.ts'
import { createChat } from './chat.ts'
import { noCommandsFile, watchCommandsFile } from './commands/file.ts'
import { createCommandQueue } from './commands/queue.ts'
import { ConfigError, loadConfig } from './config.ts'
import { createCrowd } from './crowd.ts'
import { createLlmClient } from './llm.ts'
import { createLogger } from './log.ts'
import { createRoutes } from './routes.ts'
import { createSlideState } from './slide.ts'
import { createHub } from './sse.ts'
import { createStore } from './store/index.ts'

export interface RunningChat {
  /** The speaker's listener (PORT, the tailnet). */
  url: string
  port: number
  /** The audience's listener (AUDIENCE_PORT on AUDIENCE_HOST): what `tailscale funnel` publishes. */
  audienceUrl: string
  audiencePort: number
  slide: SlideState
  store: Store
  hub: Hub
  chat: Chat
  commands: CommandsSource
  /** Resolves once the store's schema exists (at once for SQLite; rqlite may take a while to boot). */
  storeReady: Promise<void>
  close: () => Promise<void>
}

export const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version

export async function start(config: Config, log: Logger): Promise<RunningChat> {
  // Store: SQLite must open now (a bad path is a configuration error); rqlite is retried in the background.
  const store = createStore(config)
  let storeStarted = false
  const closing = new AbortController()
  if (store.kind === 'sqlite') {
    try {
      await store.init()
    }
    catch (error) {
      throw new ConfigError('SQLITE_PATH', `cannot use ${config.sqlitePath}: ${(error as Error).message}`)
    }
  }

  let commands: CommandsSource = noCommandsFile
  if (config.commandsFile) {
    try {
      commands = watchCommandsFile(config.commandsFile, log)
    }
    catch (error) {
      await store.close()
      throw new ConfigError('COMMANDS_FILE', `cannot read ${config.commandsFile}: ${(error as Error).message}`)
    }
  }

  const hub = createHub({
    maxAudienceClients: config.maxEventStreams,
    bufferBytes: config.maxStreamBufferBytes,
    onDrop: role => log.warn('dropped a live-stream client that does not read', { role, limitBytes: config.maxStreamBufferBytes }),
  })
  const llm = createLlmClient({ url: config.llmUrl, model: config.llmModel, timeoutMs: config.commandTimeoutMs })
  const queue = createCommandQueue(config.maxConcurrentCommands, config.maxQueuedCommands, waiting => hub.publish('queue', { waiting }))
  const audienceState = createAudienceState(posting => hub.publish('audience', { posting }))
  const chat = createChat({ config, store, commands, llm, hub, log, queue, audience: audienceState, version: VERSION })
  const crowd = createCrowd(config)
  const slide = createSlideState(current => hub.publish('slide', { slide: current }))
  const shared = { config, chat, store, hub, slide, audience: audienceState, queue, crowd, log, version: VERSION, storeStarted: () => storeStarted, assets: loadAssets() }
  // Two listeners, two roles: the role of a request is the listener it came in on, never a header.
  const speaker = createAdaptorServer({ fetch: createRoutes({ ...shared, role: 'speaker' }).fetch }) as Server
  const audience = createAdaptorServer({ fetch: createRoutes({ ...shared, role: 'audience' }).fetch }) as Server
  const servers = [speaker, audience]
  try {
    await listen(speaker, config.port, undefined, 'PORT')
    await listen(audience, config.audiencePort, config.audienceHost, 'AUDIENCE_PORT')
  }
  catch (error) {
    for (const server of servers) server.close()
    commands.close()
    await store.close()
    throw error
  }
  const port = (speaker.address() as AddressInfo).port
  const audiencePort = (audience.address() as AddressInfo).port
  const audienceHost = config.audienceHost.includes(':') ? `[${config.audienceHost}]` : config.audienceHost

  const storeReady = (async () => {
    for (let attempt = 1; !storeStarted; attempt++) {
      try {
        if (store.kind === 'rqlite')
          await store.init()
        await chat.recover()
        storeStarted = true
      }
      catch (error) {
        if (closing.signal.aborted)
          return
        // The rqlite sidecar needs a few seconds to boot: keep trying, readiness stays false meanwhile.
        log.warn('waiting for the store', { store: store.kind, at: store.location, attempt, error: (error as Error).message })
        await new Promise(resolve => setTimeout(resolve, Math.min(500 * attempt, 5000)))
      }
    }
    log.info('store ready', { store: store.kind, at: store.location })
  })()

  return {
    url: `http://localhost:${port}`,
    port,
    audienceUrl: `http://${audienceHost}:${audiencePort}`,
    audiencePort,
    slide,
    store,
    hub,
    chat,
    commands,
    storeReady,
    async close() {
      closing.abort()
      for (const server of servers) server.close()
      hub.closeAll() // open event streams would keep the server from closing
      commands.close()
      await chat.shutdown()
      for (const server of servers) server.closeAllConnections()
      await storeReady
      await store.close()
    },
  }
}

/** Listens on port (0: any free one); a taken port is a configuration error that names its variable. */
function listen(server: Server, port: number, host: string | undefined, variable: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE')
      throw new ConfigError(variable, `port ${port} is in use`)
    if (error.code === 'EADDRNOTAVAIL')
      throw new ConfigError(variable, `${host} is not an address of this machine`)
    throw error
  })
}

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
}

/** The page is three small files: read once, served from memory. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  for (const file of ['index.html', 'app.js', 'style.css', 'icon.svg']) {
    const body = readFileSync(new URL(`../public/${file}`, import.meta.url))
    const asset = { type: TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream', body }
    assets.set(`/${file}`, asset)
    if (file === 'index.html')
      assets.set('/', asset)
  }
  return assets
}

async function main() {
  let config: Config
  try {
    config = loadConfig(process.env)
  }
  catch (error) {
    console.error(`chat: bad configuration: ${(error as Error).message}`)
    process.exit(1)
  }
  const log = createLogger(config.logFormat, { pod: config.podName, node: config.nodeName })
  let running: RunningChat
  try {
    running = await start(config, log)
  }
  catch (error) {
    const message = error instanceof ConfigError ? `bad configuration: ${error.message}` : (error as Error).stack
    console.error(`chat: cannot start: ${message}`)
    process.exit(1)
  }
  log.info('listening', { url: running.url, audienceUrl: running.audienceUrl, store: running.store.kind, version: VERSION })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping)
      return
    stopping = true
    log.info('stopping', { signal })
    await running.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGHUP', () => void running.commands.reload())
}

if (import.meta.main)
  await main()
