// The live-demo plugin (live-demo/node/plugin.ts) inside a real Vite dev server on 127.0.0.1, driven over HTTP
// and WebSocket the way a browser page (or an attacker's page) would: who gets a token, who may open the
// socket, when the plugin refuses to offer anything, and that a page that may ends up at the hub.
import type { InlineConfig } from 'vite'
import type { LiveDemoOptions } from '../../live-demo/node/plugin.ts'
import type { Client, Server } from './hub-client.ts'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connect, createDemoRepo, session, startServer, tokenOf } from './hub-client.ts'

let repo: ReturnType<typeof createDemoRepo>
let server: Server
const start = (options: LiveDemoOptions = {}, config: InlineConfig = {}) => startServer(repo.root, options, config)

beforeEach(async () => {
  repo = createDemoRepo()
  server = await start()
})

afterEach(async () => {
  await server.close()
  repo.cleanup()
})

describe('the session endpoint', () => {
  it('gives the token, the runnable scripts and the phones to this server\'s own origin', async () => {
    const { status, body } = await session(server, { origin: server.origin })
    expect(status).toBe(200)
    expect(body.token).toMatch(/^[\w-]{43}$/)
    expect(body.scripts).toEqual(['echo-demo/scripts/hello.sh', 'echo-demo/scripts/hold.sh', 'echo-demo/scripts/quick.sh'])
    expect(body.phones).toEqual([])
  })

  it('refuses other origins, no origin, another Host and other methods', async () => {
    expect((await session(server, {})).status).toBe(403)
    expect((await session(server, { origin: 'http://evil.example' })).status).toBe(403)
    expect((await session(server, { origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403)
    expect((await session(server, { origin: 'http://evil.example', host: 'evil.example' })).status).toBe(403)
    expect((await session(server, { origin: server.origin, host: 'rebound.evil.example' })).body.error).toMatch(/host/i)
    expect((await session(server, { origin: server.origin }, 'GET')).status).toBe(405)
  })

  it('hands out a new token each time the server starts', async () => {
    const other = await start()
    try {
      expect(await tokenOf(other)).not.toBe(await tokenOf(server))
    }
    finally {
      await other.close()
    }
  })
})

describe('the WebSocket', () => {
  it('refuses a cross-origin page even with the right token', async () => {
    const token = await tokenOf(server)
    expect(await connect(server, token, 'http://evil.example')).toBe(403)
    expect(await connect(server, token, `http://localhost:${server.port + 1}`)).toBe(403)
  })

  it('refuses a missing or wrong token', async () => {
    expect(await connect(server, undefined)).toBe(403)
    expect(await connect(server, 'x'.repeat(43))).toBe(403)
    expect(await connect(server, `${await tokenOf(server)}x`)).toBe(403)
  })

  it('lets the right origin with the token talk to the hub: a script runs', async () => {
    const c = (await connect(server, await tokenOf(server))) as Client
    expect(await c.until(m => m.t === 'sessions', 'the session list')).toEqual({ t: 'sessions', sessions: [] })
    c.send({ t: 'start', id: 's1', script: 'echo-demo/scripts/quick.sh', cols: 80, rows: 24 })
    expect(await c.untilOutput('s1', /done-quickly/)).toMatch(/done-quickly/)
    expect(await c.until(m => m.t === 'exit' && m.id === 's1', 'exit')).toMatchObject({ code: 3 })
    c.socket.close()
  })
})

describe('refusing to run', () => {
  async function refusedWith(options: LiveDemoOptions, config: InlineConfig = {}) {
    const refused = await start(options, config)
    try {
      const { status, body } = await session(refused, { origin: refused.origin })
      expect(status).toBe(403)
      expect(await connect(refused, 'whatever')).toBe(403)
      return body.error as string
    }
    finally {
      await refused.close()
    }
  }

  it('refuses while exporting (slidev export sets __DEV__ to false)', async () => {
    expect(await refusedWith({}, { define: { __DEV__: 'false' } })).toMatch(/while exporting/)
  })

  it('refuses under --remote', async () => {
    expect(await refusedWith({ argv: ['node', 'slidev', '--remote'] })).toMatch(/--remote/)
  })

  it('refuses a server listening on every interface, unless an exact origin is allowed', async () => {
    expect(await refusedWith({}, { server: { host: '0.0.0.0' } })).toMatch(/not only on this machine/)
    // (Vite's own host check must let the name in too: server.allowedHosts)
    const allowed = await start({ env: { LIVE_DEMO_REMOTE_ORIGIN: 'http://laptop.example:3030' } }, { server: { host: '0.0.0.0', allowedHosts: ['laptop.example'] } })
    try {
      expect((await session(allowed, { origin: 'http://laptop.example:3030', host: 'laptop.example:3030' })).status).toBe(200)
      expect((await session(allowed, { origin: 'http://other.example:3030', host: 'other.example:3030' })).status).toBe(403)
    }
    finally {
      await allowed.close()
    }
  })
})

describe('a deck\'s own options', () => {
  it('come from `liveDemo` in its Vite config, over the plugin\'s', async () => {
    const configured = await start({}, { liveDemo: { scriptDirs: ['nowhere'], phones: { clone: 'k8s', checkScript: 'scripts/check-phone.sh', phones: { 'phone-a': { user: 'droid', host: 'phone-a' } } } } })
    try {
      const { body } = await session(configured, { origin: configured.origin })
      expect(body.scripts).toEqual([])
      expect(body.phones).toEqual(['phone-a'])
    }
    finally {
      await configured.close()
    }
  })
})
