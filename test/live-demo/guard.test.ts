// The live demos' rules as plain functions (live-demo/node/guard.ts): when they may run at all, which origins
// and tokens the plugin accepts, which scripts a page may run.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  allowedOrigins,
  DEFAULT_SCRIPT_DIRS,
  isLoopbackAddress,
  isLoopbackHost,
  listScripts,
  originProblem,
  refusalReason,
  remoteOrigins,
  resolveScript,
  sameToken,
  serveModeOf,
} from '../../live-demo/node/guard.ts'

const dev = { mode: 'dev' as const, host: 'localhost', argv: ['node', 'slidev'], env: {} }

describe('when live demos may run', () => {
  it('reads the Slidev mode from its __DEV__ flag', () => {
    expect(serveModeOf({ define: { __DEV__: 'true' } })).toBe('dev')
    expect(serveModeOf({ define: { __DEV__: 'false' } })).toBe('export')
    expect(serveModeOf({ define: {} })).toBe('vite')
  })

  it('runs on a loopback-bound dev server', () => {
    expect(refusalReason(dev)).toBeUndefined()
    for (const host of [undefined, false, 'localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]'])
      expect(refusalReason({ ...dev, host }), String(host)).toBeUndefined()
  })

  it('never runs while exporting, even when everything else is allowed', () => {
    expect(refusalReason({ ...dev, mode: 'export', env: { LIVE_DEMO_REMOTE_ORIGIN: 'http://laptop:3030' } }))
      .toMatch(/while exporting/)
  })

  it('refuses --remote and --tunnel with a message that says why and what to do', () => {
    for (const flag of ['--remote', '--remote=secret', '--tunnel']) {
      const reason = refusalReason({ ...dev, argv: ['node', 'slidev', flag] })
      expect(reason, flag).toMatch(/other machines can reach it/)
      expect(reason).toContain('LIVE_DEMO_REMOTE_ORIGIN=http://HOST:PORT')
      expect(reason).toContain(flag.split('=')[0])
    }
  })

  it('refuses a non-loopback bind', () => {
    for (const host of [true, '0.0.0.0', '::', '192.168.1.20', 'laptop.example'])
      expect(refusalReason({ ...dev, host }), String(host)).toMatch(/not only on this machine/)
  })

  it('allows them only when LIVE_DEMO_REMOTE_ORIGIN names exact origins', () => {
    const env = { LIVE_DEMO_REMOTE_ORIGIN: 'http://laptop.tail1234.ts.net:3030' }
    expect(refusalReason({ ...dev, host: '0.0.0.0', argv: ['slidev', '--remote'], env })).toBeUndefined()
    expect(remoteOrigins(env)).toEqual(['http://laptop.tail1234.ts.net:3030'])
    expect(() => remoteOrigins({ LIVE_DEMO_REMOTE_ORIGIN: '*' })).toThrow(/not an origin/)
    expect(() => remoteOrigins({ LIVE_DEMO_REMOTE_ORIGIN: 'http://laptop:3030/path' })).toThrow(/not an origin/)
    expect(() => remoteOrigins({ LIVE_DEMO_REMOTE_ORIGIN: 'file:///etc' })).toThrow(/not an origin/)
  })

  it('knows loopback addresses', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(address), address).toBe(true)
    for (const address of ['0.0.0.0', '::', '10.0.0.1', '100.101.1.10', '::ffff:10.0.0.1', '128.0.0.1'])
      expect(isLoopbackAddress(address), address).toBe(false)
    expect(isLoopbackHost('LOCALHOST')).toBe(true)
    expect(isLoopbackHost('localhost.evil.example')).toBe(false)
  })
})

describe('origin, host and token', () => {
  const origins = allowedOrigins(3030, false, {})

  it('accepts this server on loopback only, port included', () => {
    expect(origins).toEqual(['http://localhost:3030', 'http://127.0.0.1:3030', 'http://[::1]:3030'])
    expect(allowedOrigins(3030, true, { LIVE_DEMO_REMOTE_ORIGIN: 'https://laptop:3030' }))
      .toEqual(['https://localhost:3030', 'https://127.0.0.1:3030', 'https://[::1]:3030', 'https://laptop:3030'])
  })

  it('needs the exact origin and a matching host', () => {
    expect(originProblem({ origin: 'http://localhost:3030', host: 'localhost:3030' }, origins)).toBeUndefined()
    expect(originProblem({ origin: 'http://[::1]:3030', host: '[::1]:3030' }, origins)).toBeUndefined()
    expect(originProblem({ host: 'localhost:3030' }, origins)).toMatch(/no Origin/)
    for (const origin of ['http://localhost:5173', 'https://localhost:3030', 'http://evil.example', 'null', 'http://localhost:3030.evil.example'])
      expect(originProblem({ origin, host: 'localhost:3030' }, origins), origin).toMatch(/not allowed/)
  })

  it('refuses DNS rebinding: an allowed origin with a foreign Host header', () => {
    expect(originProblem({ origin: 'http://localhost:3030', host: 'evil.example:3030' }, origins)).toMatch(/host/)
    expect(originProblem({ origin: 'http://localhost:3030', host: '127.0.0.1:3030' }, origins)).toMatch(/differ/)
  })

  it('compares tokens exactly', () => {
    expect(sameToken('abc', 'abc')).toBe(true)
    for (const given of [undefined, null, '', 'abd', 'ab', 'abcd'])
      expect(sameToken(given, 'abc'), String(given)).toBe(false)
  })
})

describe('which scripts run', () => {
  const dirs = ['echo-demo/scripts', 'chat-demo/scripts']
  let root: string
  let outside: string

  // A repository with demo scripts, other files, a script outside the demo folders and links in and out.
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'live-demo-rules-'))
    outside = mkdtempSync(join(tmpdir(), 'live-demo-outside-'))
    mkdirSync(join(root, 'echo-demo/scripts/sub'), { recursive: true })
    mkdirSync(join(root, 'chat-demo/scripts'), { recursive: true })
    mkdirSync(join(root, 'scripts'), { recursive: true })
    writeFileSync(join(root, 'echo-demo/scripts/01-run.sh'), 'echo hi\n')
    writeFileSync(join(root, 'echo-demo/scripts/echo.yaml'), 'a: 1\n')
    writeFileSync(join(root, 'chat-demo/scripts/02-chat.sh'), 'echo chat\n')
    writeFileSync(join(root, 'scripts/record.sh'), 'echo not a demo\n')
    writeFileSync(join(outside, 'evil.sh'), 'echo evil\n')
    chmodSync(join(outside, 'evil.sh'), 0o755)
    symlinkSync(join(outside, 'evil.sh'), join(root, 'echo-demo/scripts/link-out.sh'))
    symlinkSync(outside, join(root, 'echo-demo/scripts/dir-out'))
    symlinkSync('01-run.sh', join(root, 'echo-demo/scripts/link-in.sh'))
    symlinkSync('../../scripts/record.sh', join(root, 'echo-demo/scripts/link-up.sh'))
    mkdirSync(join(root, 'echo-demo/scripts/folder.sh'))
  })

  afterEach(() => {
    rmSync(root, { recursive: true, force: true })
    rmSync(outside, { recursive: true, force: true })
  })

  it('resolves a demo script to its real path', () => {
    expect(resolveScript(root, dirs, 'echo-demo/scripts/01-run.sh')).toMatch(/echo-demo\/scripts\/01-run\.sh$/)
    expect(resolveScript(root, dirs, 'chat-demo/scripts/02-chat.sh')).toMatch(/chat-demo\/scripts\/02-chat\.sh$/)
    expect(resolveScript(root, dirs, 'echo-demo/scripts/link-in.sh')).toMatch(/01-run\.sh$/)
  })

  it('refuses .. , absolute paths and anything outside the script folders', () => {
    expect(() => resolveScript(root, dirs, 'echo-demo/scripts/../../scripts/record.sh')).toThrow(/\.\./)
    expect(() => resolveScript(root, dirs, '../x.sh')).toThrow(/\.\./)
    expect(() => resolveScript(root, dirs, join(root, 'echo-demo/scripts/01-run.sh'))).toThrow(/relative/)
    expect(() => resolveScript(root, dirs, '~/x.sh')).toThrow(/relative/)
    expect(() => resolveScript(root, dirs, 'scripts/record.sh')).toThrow(/not a demo script/)
  })

  it('refuses links that point out of the script folders', () => {
    expect(() => resolveScript(root, dirs, 'echo-demo/scripts/link-out.sh')).toThrow(/not a demo script/)
    expect(() => resolveScript(root, dirs, 'echo-demo/scripts/dir-out/evil.sh')).toThrow(/not a demo script/)
    expect(() => resolveScript(root, dirs, 'echo-demo/scripts/link-up.sh')).toThrow(/not a demo script/)
  })

  it('refuses what is not a shell script file', () => {
    expect(() => resolveScript(root, dirs, 'echo-demo/scripts/echo.yaml')).toThrow(/\*\.sh/)
    expect(() => resolveScript(root, dirs, 'echo-demo/scripts/folder.sh')).toThrow(/not a file/)
    expect(() => resolveScript(root, dirs, 'echo-demo/scripts/missing.sh')).toThrow(/no such script/)
    for (const name of [undefined, 42, '', 'a\0b.sh', 'x'.repeat(400)])
      expect(() => resolveScript(root, dirs, name), String(name)).toThrow(/missing or malformed/)
  })

  it('lists exactly the runnable scripts', () => {
    expect(listScripts(root, dirs)).toEqual(['chat-demo/scripts/02-chat.sh', 'echo-demo/scripts/01-run.sh', 'echo-demo/scripts/link-in.sh'])
  })
})

describe('the real deck', () => {
  it('offers the demo scripts and nothing else', () => {
    const scripts = listScripts(join(import.meta.dirname, '../..'), DEFAULT_SCRIPT_DIRS)
    expect(scripts).toContain('echo-demo/scripts/03-deploy-echo.sh')
    expect(scripts).toContain('chat-demo/scripts/02-test-chat.sh')
    expect(scripts.every(name => /^(?:echo|chat)-demo\/scripts\/[^/]+\.sh$/.test(name))).toBe(true)
  })
})
