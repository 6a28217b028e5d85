// HTTP boundary: the API and the page. Errors from inside become status codes here:
// 400/413 bad input, 429 no free command slot, 503 store unavailable, 404 unknown route.
import type { AudienceState } from './audience.ts'
import type { Chat } from './chat.ts'
import type { CommandQueue } from './commands/queue.ts'
import type { Config } from './config.ts'
import type { Crowd } from './crowd.ts'
import type { Logger } from './log.ts'
import type { Role } from './role.ts'
import type { SlideState } from './slide.ts'
import type { Hub } from './sse.ts'
import type { Store } from './store/index.ts'
import { Hono } from 'hono'
import { deckCors } from './cors.ts'
import { sameOrigin } from './origin.ts'
import { audienceRoutes } from './routes/audience.ts'
import { eventRoutes } from './routes/events.ts'
import { createFail } from './routes/fail.ts'
import { messageRoutes } from './routes/messages.ts'
import { slideRoutes } from './routes/slide.ts'
import { StoreError } from './store/index.ts'

export interface Asset {
  type: string
  body: Uint8Array
}

export interface RouteDeps {
  /** The listener's role: every request on this app has it. */
  role: Role
  config: Config
  slide: SlideState
  audience: AudienceState
  queue: CommandQueue
  crowd: Crowd
  chat: Chat
  store: Store
  hub: Hub
  log: Logger
  version: string
  /** True once the store's schema exists. */
  storeStarted: () => boolean
  /** Path ("/", "/app.js"...) → file. */
  assets: ReadonlyMap<string, Asset>
}

const CSP = [
  'default-src \'none\'',
  'script-src \'self\'',
  'style-src \'self\'',
  'connect-src \'self\'',
  'img-src \'self\' data:',
  'manifest-src \'self\'',
  'base-uri \'none\'',
  'form-action \'none\'',
  'frame-ancestors \'none\'',
].join('; ')

export function createRoutes(deps: RouteDeps): Hono {
  const { config, chat, store, hub, log, version } = deps
  const who = { pod: config.podName, node: config.nodeName }
  const app = new Hono()

  // Every answer says who handled it (that makes load balancing visible) and is logged in one line.
  app.use(async (c, next) => {
    const started = performance.now()
    await next()
    c.res.headers.set('X-Pod-Name', config.podName)
    c.res.headers.set('X-Node-Name', config.nodeName)
    c.res.headers.set('X-Content-Type-Options', 'nosniff')
    c.res.headers.set('Referrer-Policy', 'no-referrer')
    log.info('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) })
  })

  const fail = createFail(who)

  app.onError((error, c) => {
    if (error instanceof StoreError)
      return fail(c, 503, `store unavailable: ${error.message}`)
    log.error('unexpected error', { path: c.req.path, error: error.stack ?? String(error) })
    return fail(c, 500, 'internal error')
  })
  app.notFound(c => fail(c, 404, `no such route: ${c.req.method} ${c.req.path}`))

  // Browsers get their sender id with the page (and on any later read, after a restart).
  app.on('GET', ['/', '/api/*'], deps.crowd.issueIds(deps.role))

  // --- the page ---
  for (const [path, asset] of deps.assets) {
    app.get(path, (c) => {
      c.header('Content-Type', asset.type)
      c.header('Cache-Control', 'no-cache')
      if (asset.type.startsWith('text/html'))
        c.header('Content-Security-Policy', CSP)
      return c.body(asset.body as Uint8Array<ArrayBuffer>)
    })
  }

  // --- health ---
  app.get('/api/healthz', c => c.json({ status: 'ok', ...who }))
  app.get('/api/readyz', async (c) => {
    if (!deps.storeStarted())
      return c.json({ status: 'not ready', reason: `${store.kind} store not started yet`, ...who }, 503)
    try {
      await store.ping()
      return c.json({ status: 'ready', store: store.kind, ...who })
    }
    catch (error) {
      return c.json({ status: 'not ready', reason: (error as Error).message, ...who }, 503)
    }
  })
  app.get('/api/info', c =>
    c.json({
      name: 'chat',
      version,
      ...who,
      store: store.kind,
      llmUrl: config.llmUrl,
      llmModel: config.llmModel,
      role: deps.role,
      commands: chat.commandNames(deps.role),
      maxMessageLength: config.maxMessageLength,
    }))

  // Writes come from the page itself or from clients without Origin (curl), never from another site.
  app.use('/api/*', async (c, next) => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !sameOrigin(c))
      return fail(c, 403, `writes from another origin (${c.req.header('origin')?.slice(0, 100)}) are refused`)
    await next()
  })

  // --- the speaker's slide (the deck's reading view follows it) ---
  const cors = deckCors(config.deckOrigin)
  app.use('/api/slide', cors)
  app.route('/api/slide', slideRoutes({ role: deps.role, slide: deps.slide, fail }))

  // --- messages ---
  app.route('/api', messageRoutes({ role: deps.role, config, chat, store, crowd: deps.crowd, fail, who, storeStarted: deps.storeStarted }))
  app.route('/api/audience', audienceRoutes({ role: deps.role, audience: deps.audience, fail }))

  // --- live updates ---
  const greeting = () => {
    const first: { event: string, data: unknown }[] = [{ event: 'hello', data: { ...who, version, role: deps.role } }]
    const slide = deps.slide.get()
    if (slide !== null)
      first.push({ event: 'slide', data: { slide } })
    first.push({ event: 'audience', data: { posting: deps.audience.posting } })
    first.push({ event: 'queue', data: { waiting: deps.queue.waiting } })
    return first
  }
  const headers = { 'x-pod-name': config.podName, 'x-node-name': config.nodeName, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' }
  app.route('/api/events', eventRoutes({ role: deps.role, hub, fail, greeting, headers, deckOrigin: config.deckOrigin }))

  return app
}
