// echo-demo/scripts/08-join-cluster.sh on the simulated phones: phone-b joins phone-a over the tailnet; tokens, names, policy, a sleeping control plane.
import { beforeEach, describe, expect, it } from 'vitest'
import { echoDemo, lastLine, scenes, useSim } from '../../support/script-scenes.ts'

const JOIN = echoDemo('08-join-cluster.sh')
const sim = useSim()
const { uninstall, expectUsage, node, isReady, device } = scenes(sim)

describe('08-join-cluster.sh', () => {
  beforeEach(() => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    sim.setup('phone-b', 'tailscale')
  })

  it('answers --help and refuses an unknown argument or a missing CONTROL_PLANE with the usage', () => {
    expectUsage(JOIN, ['phone-a'])
    const missing = sim.run('phone-b', JOIN)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('CONTROL_PLANE is missing')
  })

  it('says to set up Tailscale first on a phone without it', () => {
    uninstall('phone-b', 'tailscale')
    const r = sim.run('phone-b', JOIN, ['phone-a'])
    expect(r.code).toBe(1)
    expect(lastLine(r)).toContain('07-setup-tailscale.sh phone-b')
  })

  it('joins phone-b to the cluster over the tailnet', () => {
    const r = sim.run('phone-b', JOIN, ['phone-a'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('answers on port 6443')
    expect(r.stdout).toContain('port 10250')
    sim.wait(10)
    expect(isReady('phone-b')).toBe(true)
    const addresses = node('phone-b')!.status!.addresses as Array<{ type: string, address: string }>
    expect(addresses[0].address).toBe(device('phone-b')!.ip)
  })

  it('a re-run on a phone that joined already keeps its node', () => {
    sim.setup('phone-b', 'agent')
    const before = node('phone-b')!.metadata.uid
    const r = sim.run('phone-b', JOIN, ['phone-a'])
    expect(r.code).toBe(0)
    sim.wait(10)
    expect(node('phone-b')!.metadata.uid).toBe(before)
    expect(isReady('phone-b')).toBe(true)
  })

  it('ends at once with the fix when the token isn\'t the control plane\'s', () => {
    const r = sim.run('phone-b', JOIN, ['phone-a'], { env: { K3S_TOKEN: 'not-the-token' } })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('rejects K3S_TOKEN')
    expect(lastLine(r)).toContain('K3S_TOKEN=')
    expect(r.seconds).toBeLessThan(60)
    expect(node('phone-b')).toBeUndefined()
  })

  it('refuses to join when the tailnet policy lets 6443 through but not the kubelet port 10250, and says how to fix it', () => {
    sim.update(w => void (w.tailnet.allow = ['tcp:6443']))
    const r = sim.run('phone-b', JOIN, ['phone-a'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('10250')
    expect(lastLine(r)).toMatch(/policy/)
    expect(lastLine(r)).toContain('tcp:10250')
    expect(lastLine(r)).toContain('udp:8472')
    expect(sim.world().hosts['phone-b'].k3s).toBeNull()
  })

  it('says to reconnect when Tailscale on this phone is stopped (tailscale down), not that the control plane sleeps', () => {
    sim.sh('phone-b', 'sudo tailscale down')
    const r = sim.run('phone-b', JOIN, ['phone-a'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Tailscale is not connected on this phone (state Stopped')
    expect(lastLine(r)).toContain('07-setup-tailscale.sh phone-b')
    expect(sim.world().hosts['phone-b'].k3s).toBeNull()
  })

  it('says so when CONTROL_PLANE is not a device in the tailnet (a typo)', () => {
    const r = sim.run('phone-b', JOIN, ['phone-x'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('\'phone-x\' is not a device in your tailnet')
    expect(sim.world().hosts['phone-b'].k3s).toBeNull()
  })

  it('explains a control plane that sleeps', () => {
    sim.update(w => void (w.hosts['phone-a'].awake = false))
    const r = sim.run('phone-b', JOIN, ['phone-a'])
    expect(r.code).toBe(1)
    expect(lastLine(r)).toMatch(/awake/)
    expect(sim.world().hosts['phone-b'].k3s).toBeNull()
  })

  it('ends at once with the fix when the node name is still registered from an earlier install', () => {
    sim.setup('phone-b', 'agent')
    sim.sh('phone-b', 'sudo k3s-agent-uninstall.sh >/dev/null')
    const r = sim.run('phone-b', JOIN, ['phone-a'])
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Node password rejected')
    expect(lastLine(r)).toContain('kubectl delete node phone-b')
    expect(r.seconds).toBeLessThan(60)
    // The fix works: delete the node on the control plane, join again.
    sim.sh('phone-a', 'kubectl delete node phone-b >/dev/null')
    expect(sim.run('phone-b', JOIN, ['phone-a']).code).toBe(0)
  })
})

describe('08-join-cluster.sh with a third phone', () => {
  // A world of its own, with phone-c (the file's world goes unused here).
  const sim = useSim(w => void (w.hosts['phone-c'] = { ...structuredClone(w.hosts['phone-b']), id: 'phone-c', lan: { ...w.hosts['phone-b'].lan, ip: '10.185.5.77' } }))
  const { node } = scenes(sim)

  it('ends with the fix when another phone already has the node name', () => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    sim.setup('phone-b', 'tailscale')
    sim.setup('phone-c', 'tailscale')
    expect(sim.run('phone-c', JOIN, ['phone-a', '--node-name', 'phone-b']).code).toBe(0)
    const r = sim.run('phone-b', JOIN, ['phone-a'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Node password rejected')
    expect(lastLine(r)).toContain('kubectl delete node phone-b')
    expect(lastLine(r)).toContain('--node-name')
    expect(node('phone-b')!.sim!.host).toBe('phone-c')
  })
})
