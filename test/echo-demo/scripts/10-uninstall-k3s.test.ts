// echo-demo/scripts/10-uninstall-k3s.sh on the simulated phones: the agent, the control plane, the tailnet and the auth key.
import { beforeEach, describe, expect, it } from 'vitest'
import { echoDemo, lastLine, scenes, useSim } from '../../support/script-scenes.ts'

const UNINSTALL = echoDemo('10-uninstall-k3s.sh')
const sim = useSim()
const { keyFile, uninstall, expectUsage, device } = scenes(sim)

describe('10-uninstall-k3s.sh', () => {
  let env: Record<string, string>
  beforeEach(() => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    sim.setup('phone-b', 'tailscale', 'agent')
    env = keyFile('phone-b')
  })

  it('answers --help and refuses an unknown argument with the usage', () => {
    expectUsage(UNINSTALL)
  })

  it('says how to get sudo when it is missing', () => {
    uninstall('phone-b', 'sudo')
    const r = sim.run('phone-b', UNINSTALL, ['--yes'], { env })
    expect(r.code).toBe(1)
    expect(lastLine(r)).toContain('sudo')
    expect(sim.world().hosts['phone-b'].k3s).not.toBeNull()
  })

  it('without a terminal and without --yes removes nothing', () => {
    const r = sim.run('phone-b', UNINSTALL, [], { env })
    expect(r.code).toBe(0)
    expect(sim.world().hosts['phone-b'].k3s).not.toBeNull()
    expect(device('phone-b')).toBeDefined()
    expect(sim.exists('phone-b', '~/.tailscale-key')).toBe(true)
  })

  it('with --yes removes the agent, logs the phone out of the tailnet and deletes the auth key', () => {
    const r = sim.run('phone-b', UNINSTALL, ['--yes'], { env })
    expect(r.code).toBe(0)
    expect(sim.world().hosts['phone-b'].k3s).toBeNull()
    expect(sim.world().hosts['phone-b'].tailscale.backend).toBe('NeedsLogin')
    expect(device('phone-b')).toBeUndefined() // ephemeral: gone from the tailnet
    expect(sim.exists('phone-b', '~/.tailscale-key')).toBe(false)
    expect(r.stdout).toContain('kubectl delete node phone-b')
    expect(r.stdout).toMatch(/non-ephemeral.*admin console/)
  })

  it('says that a non-ephemeral device stays listed, so that the next install gets its name back only after removing it', () => {
    sim.update(w => void (w.tailnet.devices.find(d => d.name === 'phone-b')!.ephemeral = false))
    const r = sim.run('phone-b', UNINSTALL, ['--yes'], { env })
    expect(r.code).toBe(0)
    expect(device('phone-b')?.expired).toBe(true)
    expect(r.stdout).toContain('https://login.tailscale.com/admin/machines')
  })

  it('asks before each part in a terminal', async () => {
    const r = await sim.runTty('phone-b', UNINSTALL, [], {
      env,
      answers: [['Remove k3s', 'y'], ['Log this phone out', 'n'], ['Delete', 'n']],
    })
    expect(r.code).toBe(0)
    expect(sim.world().hosts['phone-b'].k3s).toBeNull()
    expect(device('phone-b')).toBeDefined()
    expect(sim.exists('phone-b', '~/.tailscale-key')).toBe(true)
  })

  it('on the control plane deletes the cluster, and names the phones that still belong to it', () => {
    const r = sim.run('phone-a', UNINSTALL, ['--yes'], { env: keyFile('phone-a') })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Also in this cluster: phone-b.')
    expect(sim.world().cluster).toBeNull()
    expect(sim.world().hosts['phone-a'].k3s).toBeNull()
  })

  it('on a phone without k3s still offers to leave the tailnet', () => {
    sim.sh('phone-b', 'sudo k3s-agent-uninstall.sh >/dev/null')
    const r = sim.run('phone-b', UNINSTALL, ['--yes'], { env })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('k3s is not installed')
    expect(device('phone-b')).toBeUndefined()
  })
})
