// The live-demo plugin inside a real Vite dev server on 127.0.0.1, driven over HTTP and WebSocket the way a
// browser page (or an attacker's page) would: origins, tokens, script names, the pseudo-terminals, the
// fan-out to several windows, and the processes ending when a terminal closes or a socket drops.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { InlineConfig } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveDemoOptions } from '../../live-demo/node/live-demo.ts'
import { alive, connect, session, startServer, tokenOf, waitGone, type Client, type Server } from './hub-client.ts'
import { createSim } from '../../tools/phone-sim/index.ts'

const root = mkdtempSync(join(tmpdir(), 'live-demo-plugin-'))
const outside = mkdtempSync(join(tmpdir(), 'live-demo-outside-'))

function script(name: string, body: string) {
  const file = join(root, 'echo-demo/scripts', name)
  writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`)
  chmodSync(file, 0o755)
}

mkdirSync(join(root, 'echo-demo/scripts'), { recursive: true })
script('hello.sh', 'echo "hello $1 from $(basename "$PWD")"; read -r line; echo "got $line"')
// Holds a child in its own process group (job control on), as a shell does for background jobs.
script('hold.sh', 'set -m\n(trap "" HUP; exec sleep 300) &\necho "pids $$ $!"\nwait')
script('quick.sh', 'echo done-quickly; exit 3')
writeFileSync(join(outside, 'evil.sh'), '#!/usr/bin/env bash\necho evil\n')
symlinkSync(join(outside, 'evil.sh'), join(root, 'echo-demo/scripts/evil.sh'))

const start = (options: LiveDemoOptions = {}, config: InlineConfig = {}) => startServer(root, options, config)

let server: Server
beforeAll(async () => {
  server = await start()
})
afterAll(async () => {
  await server?.close()
  rmSync(root, { recursive: true, force: true })
  rmSync(outside, { recursive: true, force: true })
})

describe('the session endpoint', () => {
  it('gives the token and the runnable scripts to this server\'s own origin', async () => {
    const { status, body } = await session(server, { origin: server.origin })
    expect(status).toBe(200)
    expect(body.token).toMatch(/^[\w-]{43}$/)
    expect(body.scripts).toEqual(['echo-demo/scripts/hello.sh', 'echo-demo/scripts/hold.sh', 'echo-demo/scripts/quick.sh'])
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

  it('accepts the right origin and token, and lists the sessions', async () => {
    const client = await connect(server, await tokenOf(server))
    expect(typeof client).toBe('object')
    const c = client as Client
    expect(await c.until(m => m.t === 'sessions', 'the session list')).toEqual({ t: 'sessions', sessions: [] })
    c.socket.close()
  })
})

describe('running scripts', () => {
  async function client() {
    return (await connect(server, await tokenOf(server))) as Client
  }

  it('runs a demo script in a pseudo-terminal from the repository root, with arguments and input', async () => {
    const c = await client()
    c.send({ t: 'start', id: 's1', script: 'echo-demo/scripts/hello.sh', args: ['you'], cols: 80, rows: 24 })
    expect(await c.untilOutput('s1', /hello you from live-demo-plugin-/)).toContain('hello you')
    c.send({ t: 'input', id: 's1', data: 'typed words\r' })
    expect(await c.untilOutput('s1', /got typed words/)).toMatch(/got typed words/)
    expect(await c.until(m => m.t === 'exit' && m.id === 's1', 'exit')).toMatchObject({ code: 0 })
    c.socket.close()
  })

  it('refuses .., links out of the folder, other files and free-form commands', async () => {
    const c = await client()
    const attempts: [string, object, RegExp][] = [
      ['up', { script: 'echo-demo/scripts/../../../etc/passwd' }, /\.\./],
      ['abs', { script: '/bin/sh' }, /relative/],
      ['link', { script: 'echo-demo/scripts/evil.sh' }, /not a demo script/],
      ['cmd', { command: 'id' }, /missing or malformed/],
      ['args', { script: 'echo-demo/scripts/hello.sh', args: 'a; id' }, /at most 16/],
    ]
    for (const [id, message, error] of attempts) {
      c.send({ t: 'start', id, cols: 80, rows: 24, ...message })
      expect((await c.until(m => m.t === 'error' && m.id === id, `error for ${id}`)).message).toMatch(error)
    }
    expect(c.messages.some(m => m.t === 'output')).toBe(false)
    c.socket.close()
  })

  it('opens a plain shell only when asked explicitly', async () => {
    const c = await client()
    c.send({ t: 'start', id: 'sh', shell: true, cols: 80, rows: 24 })
    c.send({ t: 'input', id: 'sh', data: 'echo $((6 * 7))\r' })
    expect(await c.untilOutput('sh', /\b42\b/)).toMatch(/42/)
    c.send({ t: 'close', id: 'sh' })
    await c.until(m => m.t === 'sessions' && (m.sessions as unknown[]).length === 0, 'the shell to be gone')
    c.socket.close()
  })

  it('kills the process group and the rest of its session when the socket drops', async () => {
    const c = await client()
    c.send({ t: 'start', id: 'hold', script: 'echo-demo/scripts/hold.sh', cols: 80, rows: 24 })
    const [, leader, child] = (await c.untilOutput('hold', /pids \d+ \d+/)).match(/pids (\d+) (\d+)/)!.map(Number)
    expect(alive(leader) && alive(child)).toBe(true)
    c.socket.terminate() // the window crashed or the network went away: no close message
    expect(await waitGone([leader, child])).toEqual([])
  })

  it('kills them when the terminal is closed', async () => {
    const c = await client()
    c.send({ t: 'start', id: 'hold2', script: 'echo-demo/scripts/hold.sh', cols: 80, rows: 24 })
    const [, leader, child] = (await c.untilOutput('hold2', /pids \d+ \d+/)).match(/pids (\d+) (\d+)/)!.map(Number)
    c.send({ t: 'close', id: 'hold2' })
    expect(await waitGone([leader, child])).toEqual([])
    c.socket.close()
  })

  it('shows one session in every window: output fans out, the last window to leave ends it', async () => {
    const presenter = await client()
    const audience = await client()
    presenter.send({ t: 'start', id: 'shared', script: 'echo-demo/scripts/hold.sh', cols: 80, rows: 24 })
    await audience.until(m => m.t === 'sessions' && (m.sessions as { id: string }[]).some(s => s.id === 'shared'), 'the audience to hear of the session')
    audience.send({ t: 'attach', id: 'shared' })
    const seen = await audience.untilOutput('shared', /pids \d+ \d+/)
    expect(seen).toBe(await presenter.untilOutput('shared', /pids \d+ \d+/))
    const [, leader, child] = seen.match(/pids (\d+) (\d+)/)!.map(Number)
    presenter.socket.terminate()
    await audience.until(m => m.t === 'sessions', 'a session update')
    expect(alive(leader)).toBe(true) // the audience window still shows it
    audience.socket.close()
    expect(await waitGone([leader, child])).toEqual([])
  })

  it('reports the exit code of a finished script and keeps its output for late windows', async () => {
    const c = await client()
    c.send({ t: 'start', id: 'quick', script: 'echo-demo/scripts/quick.sh', cols: 80, rows: 24 })
    expect(await c.until(m => m.t === 'exit' && m.id === 'quick', 'exit')).toMatchObject({ code: 3 })
    const late = await client()
    late.send({ t: 'attach', id: 'quick' })
    expect(await late.untilOutput('quick', /done-quickly/)).toMatch(/done-quickly/)
    expect(await late.until(m => m.t === 'exit' && m.id === 'quick', 'exit for the late window')).toMatchObject({ code: 3 })
    c.socket.close()
    late.socket.close()
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

describe('ClusterView\'s live feed', () => {
  it('streams kubectl\'s watch events, slimmed, to subscribed windows', async () => {
    // A one-phone cluster with the echo server, watched with phone-a's (simulated) kubectl.
    const sim = createSim()
    sim.setup('phone-a', 'server')
    expect(sim.run('phone-a', 'echo-demo/scripts/03-deploy-echo.sh').code).toBe(0)
    const objects = sim.world().cluster!.objects.filter(o => o.kind === 'Node' || o.kind === 'Pod')
    const echo = objects.filter(o => o.metadata.labels?.['app.kubernetes.io/name'] === 'echo')
    expect(echo).toHaveLength(2)
    const live = await start({ kubectl: sim.programOn('phone-a', 'kubectl') })
    try {
      const c = (await connect(live, await tokenOf(live))) as Client
      c.send({ t: 'cluster', on: true })
      expect(await c.until(m => m.t === 'cluster-status', 'status')).toEqual({ t: 'cluster-status', live: true })
      await c.until(() => c.messages.filter(m => m.t === 'cluster').length === objects.length, 'every node and pod')
      const events = c.messages.filter(m => m.t === 'cluster').map(m => m.event)
      expect(events).toContainEqual({ type: 'ADDED', kind: 'Node', name: 'phone-a', ready: true, controlPlane: true })
      for (const pod of echo) {
        expect(events).toContainEqual({ type: 'ADDED', kind: 'Pod', namespace: 'default', name: pod.metadata.name, node: 'phone-a', app: 'echo', phase: 'Running', ready: true, deleting: false })
      }
      // A window that subscribes later gets the current picture at once.
      const late = (await connect(live, await tokenOf(live))) as Client
      late.send({ t: 'cluster', on: true })
      await late.until(() => late.messages.filter(m => m.t === 'cluster').length === objects.length, 'the snapshot')
      c.socket.close()
      late.socket.close()
    }
    finally {
      await live.close()
      sim.cleanup()
    }
  })

  it('says so when kubectl can\'t watch (ClusterView then replays its recording)', async () => {
    const broken = await start({ kubectl: join(root, 'no-such-kubectl') })
    try {
      const c = (await connect(broken, await tokenOf(broken))) as Client
      c.send({ t: 'cluster', on: true })
      const status = await c.until(m => m.t === 'cluster-status', 'status')
      expect(status.live).toBe(false)
      expect(status.message).toMatch(/ENOENT/)
    }
    finally {
      await broken.close()
    }
  })
})

it('leaves no test files behind in the repository', () => {
  expect(existsSync(join(import.meta.dirname, '../../echo-demo/scripts/hold.sh'))).toBe(false)
})
