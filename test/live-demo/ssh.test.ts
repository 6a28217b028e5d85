// Live demos on a phone: a slide's script runs over ssh in the phone's clone — tested against a REAL
// OpenSSH server (test/support/sshd.ts) on a loopback address with throwaway keys, no stub ssh. Arguments
// arrive exactly as given (the remote shell parses ssh's one command line), × ends the remote script,
// and every way ssh can fail ends with a message on the slide instead of a question or a hang.
import type { PhoneSetup } from '../../live-demo/node/phones.ts'
import type { TestSshd } from '../support/sshd.ts'
import type { Client, Msg, Server } from './hub-client.ts'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSshd } from '../support/sshd.ts'
import { alive, connect, startServer, tokenOf, waitGone } from './hub-client.ts'

/** The laptop's repository (what the allow-list is checked against) and the phone's clone of it. */
const laptop = mkdtempSync(join(tmpdir(), 'live-ssh-laptop-'))
const clone = mkdtempSync(join(tmpdir(), 'live-ssh-clone-'))

function script(repo: string, name: string, body: string) {
  const file = join(repo, name)
  mkdirSync(join(file, '..'), { recursive: true })
  writeFileSync(file, `#!/usr/bin/env bash\n${body}\n`)
  chmodSync(file, 0o755)
}

for (const name of ['args.sh', 'hold.sh'])
  script(laptop, `echo-demo/scripts/${name}`, 'echo "this is the laptop\'s copy: it must not run"; exit 9')
// On the phone: every argument as received, NUL-separated, next to the script; and where it ran.
script(clone, 'echo-demo/scripts/args.sh', 'printf "%s\\0" "$@" >"$PWD/args.out"\necho "argc=$# in $PWD"\n[[ -t 0 ]] && echo "with a terminal"')
script(clone, 'echo-demo/scripts/hold.sh', 'sleep 300 &\necho "remote sleep $!"\nwait')
// The pre-flight check's interface (scripts/check-phone.sh): ✓/✗ lines, --peer NAME and the phone's own
// options, exit 0 when ready.
script(clone, 'scripts/check-phone.sh', 'echo " ✓  reached $(hostname) as $(id -un)"\necho " ✓  peers: $*"\nexit 0')

const PHONES = ['phone-a', 'phone-new', 'phone-other', 'phone-off', 'phone-mute']

let sshd: TestSshd
let server: Server

beforeAll(async () => {
  sshd = await startSshd()
  const phones: PhoneSetup = {
    clone,
    checkScript: 'scripts/check-phone.sh',
    phones: Object.fromEntries(PHONES.map(name => [name, { user: sshd.user, host: name, ...(name === 'phone-a' ? { check: ['--llm'] } : {}) }])),
  }
  server = await startServer(laptop, { phones, ssh: { configFile: sshd.configFile, connectTimeout: 2 } })
}, 60_000)

afterAll(async () => {
  await server?.close()
  await sshd?.stop()
  rmSync(laptop, { recursive: true, force: true })
  rmSync(clone, { recursive: true, force: true })
})

const client = async () => (await connect(server, await tokenOf(server))) as Client
const exitOf = (c: Client, id: string, ms = 20_000) => c.until(m => m.t === 'exit' && m.id === id, `exit of ${id}`, ms)

describe('a script on a phone, over a real ssh', () => {
  it('runs in the phone\'s clone, with a terminal, and the session says which phone', async () => {
    const c = await client()
    c.send({ t: 'start', id: 's1', script: 'echo-demo/scripts/args.sh', args: ['x'], on: 'phone-a', cols: 80, rows: 24 })
    const sessions = await c.until(m => m.t === 'sessions' && (m.sessions as { id: string }[]).some(s => s.id === 's1'), 'the session')
    expect((sessions.sessions as Msg[]).find(s => s.id === 's1')).toMatchObject({ label: 'phone-a: echo-demo/scripts/args.sh', on: 'phone-a' })
    expect((await exitOf(c, 's1')).code).toBe(0)
    expect(c.output('s1')).toContain(`argc=1 in ${clone}`)
    expect(c.output('s1')).toContain('with a terminal')
    expect(c.output('s1')).not.toContain('laptop\'s copy')
    c.socket.close()
  })

  it('hands every argument over exactly: quotes, $( ), backticks, ;, newlines, spaces, globs, an empty one', async () => {
    const hostile = ['it\'s', '"double"', '$(touch pwned)', '`touch pwned2`', 'a; touch pwned3', 'line1\nline2', '  two  spaces ', '*', '$HOME', '\\back\\slash', '', '--peer', '\'; exit 7; \'']
    const c = await client()
    c.send({ t: 'start', id: 's2', script: 'echo-demo/scripts/args.sh', args: hostile, on: 'phone-a', cols: 80, rows: 24 })
    expect((await exitOf(c, 's2')).code).toBe(0)
    const received = readFileSync(join(clone, 'args.out'), 'utf8').split('\0').slice(0, -1)
    expect(received).toEqual(hostile)
    for (const file of ['pwned', 'pwned2', 'pwned3'])
      expect(existsSync(join(clone, file)) || existsSync(join(sshd.home, file)), `${file} was created: an argument ran`).toBe(false)
    c.socket.close()
  })

  it('opens a shell on the phone, in the clone', async () => {
    const c = await client()
    c.send({ t: 'start', id: 's3', shell: true, on: 'phone-a', cols: 80, rows: 24 })
    c.send({ t: 'input', id: 's3', data: 'echo "shell in $PWD"; exit 5\r' })
    expect((await exitOf(c, 's3')).code).toBe(5)
    expect(c.output('s3')).toContain(`shell in ${clone}`)
    c.socket.close()
  })

  it('ends the script on the phone when the terminal is closed (×)', async () => {
    const c = await client()
    c.send({ t: 'start', id: 's4', script: 'echo-demo/scripts/hold.sh', on: 'phone-a', cols: 80, rows: 24 })
    const pid = Number(/remote sleep (\d+)/.exec(await c.untilOutput('s4', /remote sleep \d+/, 20_000))![1])
    expect(alive(pid)).toBe(true)
    c.send({ t: 'close', id: 's4' })
    expect(await waitGone([pid], 10_000), 'the remote sleep outlived the session').toEqual([])
    c.socket.close()
  })

  it('keeps the allow-list: no other script, no unknown phone', async () => {
    const c = await client()
    c.send({ t: 'start', id: 's5', script: '../../etc/passwd.sh', on: 'phone-a', cols: 80, rows: 24 })
    expect((await c.until(m => m.t === 'error' && m.id === 's5', 'refusal')).message).toMatch(/\.\./)
    c.send({ t: 'start', id: 's6', script: 'echo-demo/scripts/args.sh', on: 'phone-z', cols: 80, rows: 24 })
    expect((await c.until(m => m.t === 'error' && m.id === 's6', 'refusal')).message).toMatch(/no phone phone-z in project\.json/)
    c.send({ t: 'start', id: 's7', script: 'echo-demo/scripts/args.sh', on: 'constructor', cols: 80, rows: 24 })
    expect((await c.until(m => m.t === 'error' && m.id === 's7', 'refusal')).message).toMatch(/no phone constructor/)
    c.socket.close()
  })
})

describe('when ssh fails, the slide says why, and nothing waits for an answer', () => {
  it.each([
    ['phone-new', /its ssh host key is not known/, /ssh .*@phone-new once/],
    ['phone-other', /refused this laptop's key/, /ssh-copy-id/],
    ['phone-off', /nothing listens for ssh/, /openssh-server/],
    ['phone-mute', /did not answer in time/, /tailscale status/],
  ])('%s', async (phone, why, what) => {
    const c = await client()
    const started = Date.now()
    c.send({ t: 'start', id: `f-${phone}`, script: 'echo-demo/scripts/args.sh', args: ['x'], on: phone, cols: 200, rows: 24 })
    expect((await exitOf(c, `f-${phone}`)).code).toBe(255)
    const output = c.output(`f-${phone}`)
    expect(output).toMatch(why)
    expect(output).toMatch(what)
    expect(output).not.toMatch(/\(yes\/no|password:/i)
    expect(Date.now() - started, 'ended within ConnectTimeout and a margin').toBeLessThan(15_000)
    c.socket.close()
  })
})

describe('the backstage check', () => {
  it('runs the pre-flight script on every phone and reports each: ready, or why not', async () => {
    const c = await client()
    c.send({ t: 'check' })
    const results = await Promise.all(PHONES.map(phone => c.until(m => m.t === 'check' && m.phone === phone && m.state === 'done', `check of ${phone}`, 30_000)))
    const byPhone = Object.fromEntries(results.map(r => [r.phone as string, r]))
    expect(byPhone['phone-a']).toMatchObject({ code: 0 })
    expect(byPhone['phone-a'].problem).toBeUndefined()
    expect(byPhone['phone-a'].output).toContain(' ✓  peers: --peer phone-new --llm')
    expect(byPhone['phone-new'].problem).toMatch(/host key/)
    expect(byPhone['phone-other'].problem).toMatch(/refused this laptop's key/)
    expect(byPhone['phone-off'].problem).toMatch(/nothing listens/)
    expect(byPhone['phone-mute'].problem).toMatch(/did not answer in time/)
    expect(c.messages.filter(m => m.t === 'check' && m.state === 'running').map(m => m.phone).sort()).toEqual([...PHONES].sort())
    c.socket.close()
  })

  it('runs one check at a time, and the socket stays usable while it runs', async () => {
    const c = await client()
    c.send({ t: 'check' })
    c.send({ t: 'check' })
    c.send({ t: 'start', id: 'during', script: 'echo-demo/scripts/args.sh', args: ['x'], on: 'phone-a', cols: 80, rows: 24 })
    expect((await c.until(m => m.t === 'error' && !m.id, 'the second check refused')).message).toMatch(/already running/)
    expect((await exitOf(c, 'during')).code).toBe(0)
    await c.until(m => m.t === 'check' && m.phone === 'phone-mute' && m.state === 'done', 'the slowest phone', 30_000)
    const started = c.messages.findIndex(m => m.t === 'sessions' && (m.sessions as { id: string }[]).some(s => s.id === 'during'))
    expect(started, 'the run started while the check was still waiting for the slowest phone')
      .toBeLessThan(c.messages.findIndex(m => m.t === 'check' && m.phone === 'phone-mute' && m.state === 'done'))
    c.socket.close()
  })
})
