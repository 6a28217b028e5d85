// The rules every echo-demo script follows: its usage block, strict mode, one short slide region,
// --help, and a usage error (exit 2) for each bad argument it can be given.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest'
import { createSim, REPO_ROOT, type Sim } from '../../../tools/phone-sim/index.ts'
import { echoDemo } from '../../support/script-scenes.ts'

const SCRIPTS_DIR = join(REPO_ROOT, 'echo-demo/scripts')
// One world for all: a usage error runs nothing, so nothing changes it.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 })

describe('every echo-demo script', () => {
  const all = readdirSync(SCRIPTS_DIR).filter((f) => f.endsWith('.sh')).sort()
  let shared: Sim
  beforeAll(() => {
    shared = createSim()
    shared.setup('phone-a', 'tailscale', 'server-on-tailnet')
  })
  afterAll(() => shared.cleanup())
  beforeEach(() => shared.resetCalls())

  test('the demo has its scripts 01…10 with 04b and 04c', () => {
    expect(all).toEqual([
      '01-install-k3s.sh', '02-verify-cluster.sh', '03-deploy-echo.sh', '04-curl.sh', '04b-curl-hostname.sh',
      '04c-curl-nodename.sh', '05-scale-echo.sh', '06-undeploy-echo.sh', '07-setup-tailscale.sh',
      '08-join-cluster.sh', '09-verify-multi-node.sh', '10-uninstall-k3s.sh',
    ])
  })

  test.each(all)('%s: a usage block, strict mode, executable, one short slide region', (name) => {
    const text = readFileSync(join(SCRIPTS_DIR, name), 'utf8')
    expect(text.startsWith(`#!/usr/bin/env bash\n# Usage: ${name}`)).toBe(true)
    expect(text).toContain('\nset -euo pipefail\n')
    expect(statSync(join(SCRIPTS_DIR, name)).mode & 0o111).toBeTruthy()
    const lines = text.split('\n')
    const start = lines.indexOf('# #region slide')
    const end = lines.indexOf('# #endregion slide')
    expect(lines.filter((l) => l.includes('#region')).length).toBe(1)
    expect(start).toBeGreaterThan(0)
    expect(end - start - 1).toBeGreaterThanOrEqual(1)
    expect(end - start - 1).toBeLessThanOrEqual(6)
  })

  test.each(all)('%s --help prints the usage, exits 0 and runs nothing', (name) => {
    const r = shared.run('phone-a', echoDemo(name), ['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^Usage: ${name}`))
    expect(shared.calls()).toEqual([])
  })

  const badArgs: Record<string, string[][]> = {
    '01-install-k3s.sh': [['--bogus'], ['--node-name'], ['--node-name', 'Phone_A']],
    '02-verify-cluster.sh': [['extra']],
    '03-deploy-echo.sh': [['--bogus']],
    '04-curl.sh': [['extra']],
    '04b-curl-hostname.sh': [['0'], ['many'], ['1', '2']],
    '04c-curl-nodename.sh': [['0'], ['1001'], ['-5']],
    '05-scale-echo.sh': [['abc'], ['11'], ['1', '2']],
    '06-undeploy-echo.sh': [['--bogus']],
    '07-setup-tailscale.sh': [[], ['phone-a', 'phone-b'], ['Phone A']],
    '08-join-cluster.sh': [[], ['phone-a', '--node-name', 'phone-a'], ['phone-a', 'phone-c'], ['phone-a', '--bogus']],
    '09-verify-multi-node.sh': [['extra']],
    '10-uninstall-k3s.sh': [['--force']],
  }
  test('every script has its bad arguments listed', () => {
    expect(Object.keys(badArgs).sort()).toEqual(all)
  })
  test.each(Object.entries(badArgs).flatMap(([name, list]) => list.map((args) => [name, args] as const)))(
    '%s %j is a usage error: exit 2, usage on stderr, nothing run',
    (name, args) => {
      const r = shared.run('phone-a', echoDemo(name), [...args])
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^error: /)
      expect(r.stderr).toContain(`Usage: ${name}`)
      expect(shared.calls()).toEqual([])
    },
  )
})
