// The live demos' sessions (live-demo/node/hub.ts) behind a real WebSocket, driven the way the slides' windows
// drive them: the pseudo-terminals, the fan-out to several windows, the processes ending when a terminal
// closes or a socket drops, and what a window is told when it sends something the protocol doesn't have.
// (Who may connect at all is the plugin's: plugin.test.ts.)
import type { Client } from './hub-client.ts'
import { Buffer } from 'node:buffer'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MAX_SESSIONS } from '../../live-demo/node/hub.ts'
import { alive, createDemoRepo, open, startHub, waitGone } from './hub-client.ts'

let repo: ReturnType<typeof createDemoRepo>
let hub: Awaited<ReturnType<typeof startHub>>
/** A new window */
const client = () => open(hub.url)
const start = (c: Client, id: string, script: string, args?: string[]) => c.send({ t: 'start', id, script: `echo-demo/scripts/${script}`, ...(args ? { args } : {}), cols: 80, rows: 24 })
const errorFor = (c: Client, id: string) => c.until(m => m.t === 'error' && m.id === id, `the error for ${id}`).then(m => m.message as string)

beforeAll(() => {
  repo = createDemoRepo()
})
beforeEach(async () => {
  hub = await startHub({ root: repo.root, dirs: ['echo-demo/scripts'], ssh: {}, killGraceMs: 300 })
})
afterEach(() => hub.close())
afterAll(() => repo.cleanup())

describe('a terminal', () => {
  it('runs a demo script in a pseudo-terminal from the repository root, with arguments and input', async () => {
    const c = await client()
    expect(await c.until(m => m.t === 'sessions', 'the session list')).toEqual({ t: 'sessions', sessions: [] })
    start(c, 's1', 'hello.sh', ['you'])
    expect(await c.untilOutput('s1', /hello you from live-demo-repo-/)).toContain('hello you')
    c.send({ t: 'input', id: 's1', data: 'typed words\r' })
    expect(await c.untilOutput('s1', /got typed words/)).toMatch(/got typed words/)
    expect(await c.until(m => m.t === 'exit' && m.id === 's1', 'exit')).toMatchObject({ code: 0 })
  })

  it('refuses .., links out of the folder and absolute paths, and starts nothing', async () => {
    const c = await client()
    const attempts: [string, string, RegExp][] = [
      ['up', 'echo-demo/scripts/../../../etc/passwd', /\.\./],
      ['abs', '/bin/sh', /relative/],
      ['link', 'echo-demo/scripts/evil.sh', /not a demo script/],
    ]
    for (const [id, script, error] of attempts) {
      c.send({ t: 'start', id, script, cols: 80, rows: 24 })
      expect(await errorFor(c, id)).toMatch(error)
    }
    expect(c.messages.some(m => m.t === 'output')).toBe(false)
  })

  it('opens a plain shell only when asked explicitly, and forgets it when closed', async () => {
    const c = await client()
    c.send({ t: 'start', id: 'sh', shell: true, cols: 80, rows: 24 })
    c.send({ t: 'input', id: 'sh', data: 'echo $((6 * 7))\r' })
    expect(await c.untilOutput('sh', /\b42\b/)).toMatch(/42/)
    const since = c.messages.length
    c.send({ t: 'close', id: 'sh' })
    await c.until(m => c.messages.indexOf(m) >= since && m.t === 'sessions' && (m.sessions as unknown[]).length === 0, 'the shell to be gone')
  })

  it(`runs at most ${MAX_SESSIONS} at once`, async () => {
    const c = await client()
    for (let i = 0; i < MAX_SESSIONS; i++) start(c, `h${i}`, 'hold.sh')
    start(c, 'one-too-many', 'hold.sh')
    expect(await errorFor(c, 'one-too-many')).toMatch(/at most 6 terminals at once: close one first/)
  })
})

describe('ending its processes', () => {
  it('kills the process group and the rest of its session when the socket drops', async () => {
    const c = await client()
    start(c, 'hold', 'hold.sh')
    const [, leader, child] = (await c.untilOutput('hold', /pids \d+ \d+/)).match(/pids (\d+) (\d+)/)!.map(Number)
    expect(alive(leader) && alive(child)).toBe(true)
    c.socket.terminate() // the window crashed or the network went away: no close message
    expect(await waitGone([leader, child])).toEqual([])
  })

  it('kills them when the terminal is closed', async () => {
    const c = await client()
    start(c, 'hold2', 'hold.sh')
    const [, leader, child] = (await c.untilOutput('hold2', /pids \d+ \d+/)).match(/pids (\d+) (\d+)/)!.map(Number)
    c.send({ t: 'close', id: 'hold2' })
    expect(await waitGone([leader, child])).toEqual([])
  })
})

describe('several windows on one slide', () => {
  it('shows one session in every window: output fans out, the last window to leave ends it', async () => {
    const presenter = await client()
    const audience = await client()
    start(presenter, 'shared', 'hold.sh')
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

  it('a second start of a running session attaches to it instead of starting another', async () => {
    const presenter = await client()
    const audience = await client()
    start(presenter, 'twice', 'hold.sh')
    const first = await presenter.untilOutput('twice', /pids \d+ \d+/)
    start(audience, 'twice', 'hold.sh')
    expect(await audience.untilOutput('twice', /pids \d+ \d+/)).toBe(first)
  })

  it('reports the exit code of a finished script and keeps its output for late windows', async () => {
    const c = await client()
    start(c, 'quick', 'quick.sh')
    expect(await c.until(m => m.t === 'exit' && m.id === 'quick', 'exit')).toMatchObject({ code: 3 })
    const late = await client()
    late.send({ t: 'attach', id: 'quick' })
    expect(await late.untilOutput('quick', /done-quickly/)).toMatch(/done-quickly/)
    expect(await late.until(m => m.t === 'exit' && m.id === 'quick', 'exit for the late window')).toMatchObject({ code: 3 })
  })

  it('takes input only from a window that shows the session', async () => {
    const presenter = await client()
    const stranger = await client()
    start(presenter, 'typed', 'hello.sh', ['you'])
    await presenter.untilOutput('typed', /hello you/)
    stranger.send({ t: 'input', id: 'typed', data: 'from a stranger\r' })
    // A window's frames are handled in order: once this one's error is back, the input before it was too.
    stranger.send({ t: 'attach' })
    await stranger.until(m => m.t === 'error', 'the stranger\'s frames handled')
    presenter.send({ t: 'input', id: 'typed', data: 'from the presenter\r' })
    expect(await presenter.untilOutput('typed', /got from/)).toMatch(/got from the presenter/)
  })
})

describe('frames outside the protocol', () => {
  it('answers each with an error that says what is wrong, for the terminal that sent it, and keeps the socket', async () => {
    const c = await client()
    c.sendRaw('not json at all')
    expect((await c.until(m => m.t === 'error', 'not JSON')).message).toBe('not JSON')
    c.send({ t: 'start', id: 'cmd', command: 'id', cols: 80, rows: 24 })
    expect(await errorFor(c, 'cmd')).toBe('start has no field "command"')
    c.send({ t: 'start', id: 'args', script: 'echo-demo/scripts/hello.sh', args: 'a; id', cols: 80, rows: 24 })
    expect(await errorFor(c, 'args')).toMatch(/args must be a list/)
    c.sendRaw(Buffer.from([1, 2, 3]))
    expect((await c.until(m => m.t === 'error' && /binary/.test(m.message as string), 'binary refused')).message).toMatch(/send JSON text/)
    start(c, 'after', 'quick.sh')
    expect(await c.until(m => m.t === 'exit' && m.id === 'after', 'a run after all that')).toMatchObject({ code: 3 })
    expect(c.messages.filter(m => m.t === 'output' && m.id !== 'after')).toEqual([])
  })
})
