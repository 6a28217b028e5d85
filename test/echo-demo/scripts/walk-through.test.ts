// The README's two-phone walk-through on the simulated phones: the cluster scripts one after another.
import { describe, expect, it } from 'vitest'
import { echoDemo, scenes, useSim } from '../../support/script-scenes.ts'

const INSTALL = echoDemo('01-install-k3s.sh')
const TAILSCALE = echoDemo('07-setup-tailscale.sh')
const JOIN = echoDemo('08-join-cluster.sh')
const VERIFY = echoDemo('09-verify-multi-node.sh')
const UNINSTALL = echoDemo('10-uninstall-k3s.sh')
const sim = useSim()
const { keyFile, node, isReady, device } = scenes(sim)

describe('the README\'s two-phone walk-through, script by script', { timeout: 240_000 }, () => {
  it('01 and 07 on phone-a, 07 and 08 on phone-b, 09 on phone-a: two Ready phones on the tailnet, then 10 on both', () => {
    const steps: Array<[string, string, string[], Record<string, string>?]> = [
      ['phone-a', INSTALL, []],
      ['phone-a', TAILSCALE, ['phone-a'], keyFile('phone-a')],
      ['phone-b', TAILSCALE, ['phone-b'], keyFile('phone-b')],
      ['phone-b', JOIN, ['phone-a']],
      ['phone-a', VERIFY, []],
    ]
    for (const [host, script, args, env] of steps) {
      const r = sim.run(host, script, args, { env })
      expect(r.code, `${script} on ${host}:\n${r.output}`).toBe(0)
    }
    for (const phone of ['phone-a', 'phone-b']) {
      expect(isReady(phone)).toBe(true)
      expect((node(phone)!.status!.addresses as Array<{ address: string }>)[0].address).toBe(device(phone)!.ip)
    }
    expect(sim.run('phone-b', UNINSTALL, ['--yes'], { env: keyFile('phone-b') }).code).toBe(0)
    expect(sim.run('phone-a', UNINSTALL, ['--yes'], { env: keyFile('phone-a') }).code).toBe(0)
    expect(sim.world().cluster).toBeNull()
    expect(sim.world().tailnet.devices).toEqual([])
  })
})
