// echo-demo/scripts/09-verify-multi-node.sh on the simulated phones and the laptop: what k3s needs between the phones.
import { describe, expect, it } from 'vitest'
import { echoDemo, lastLine, scenes, useSim } from '../../support/script-scenes.ts'

const VERIFY = echoDemo('09-verify-multi-node.sh')
const JOIN = echoDemo('08-join-cluster.sh')
const sim = useSim()
const { twoPhones, expectUsage, isReady, device } = scenes(sim)
/** phone-a the control plane, phone-b joined and Ready, both on the tailnet. */
function twoPhonesReady() {
  twoPhones({ laptop: false })
  sim.wait(10)
}

describe('09-verify-multi-node.sh', () => {
  it('answers --help and refuses an unknown argument with the usage', () => {
    expectUsage(VERIFY)
  })

  it('says to install k3s first on a phone without it', () => {
    const r = sim.run('phone-a', VERIFY)
    expect(r.code).toBe(1)
    expect(lastLine(r)).toContain('01-install-k3s.sh')
  })

  it('on the agent, says to run it on the control plane', () => {
    twoPhonesReady()
    const r = sim.run('phone-b', VERIFY)
    expect(r.code).toBe(1)
    expect(lastLine(r)).toContain('control plane')
  })

  it('checks both phones: Ready, tailnet addresses, the kubelets and the pod network between them', () => {
    twoPhonesReady()
    const r = sim.run('phone-a', VERIFY)
    expect(r.code).toBe(0)
    for (const phone of ['phone-a', 'phone-b']) expect(r.stdout).toContain(`✓  ${phone} is Ready at ${device(phone)!.ip}`)
    expect(r.stdout).toContain('✓  The API server reaches the kubelet of phone-b')
    expect(r.stdout).toContain('✓  Pods on phone-a reach pods on phone-b (10.42.1.0)')
  })

  it('from the laptop (with a kubeconfig), checks the kubelets and leaves the pod network to the control plane', () => {
    twoPhonesReady()
    sim.setup('laptop', 'tailscale')
    sim.write('laptop', '~/.kube/config', sim.read('phone-a', '/etc/rancher/k3s/k3s.yaml').replace('https://127.0.0.1:6443', `https://${device('phone-a')!.ip}:6443`))
    sim.update(w => void w.hosts.laptop.programs.push('kubectl'))
    const r = sim.run('laptop', VERIFY)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('✓  The API server reaches the kubelet of phone-a')
    expect(r.stdout).toContain('✓  The API server reaches the kubelet of phone-b')
    expect(r.stdout).toContain('pod network between the phones can only be checked on the control plane')
    expect(sim.calls('ping', 'laptop')).toEqual([])
  })

  it('reports Ready nodes whose pods can\'t reach the other phone (policy without UDP 8472) with the policy fix', () => {
    twoPhonesReady()
    sim.update(w => void (w.tailnet.allow = ['tcp:6443', 'tcp:10250']))
    const r = sim.run('phone-a', VERIFY)
    expect(isReady('phone-b')).toBe(true)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('phone-b is Ready, but pods on phone-a can\'t reach pods on it')
    expect(lastLine(r)).toContain('udp:8472')
  })

  it('reports a kubelet the API server can\'t reach (policy without TCP 10250) with the policy fix', () => {
    twoPhonesReady()
    sim.update(w => void (w.tailnet.allow = ['tcp:6443', 'udp:8472']))
    const r = sim.run('phone-a', VERIFY)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('kubelet of phone-b')
    expect(lastLine(r)).toContain('tcp:10250')
  })

  it('reports a phone that sleeps', () => {
    twoPhonesReady()
    sim.update(w => void (w.hosts['phone-b'].awake = false))
    sim.wait(60)
    const r = sim.run('phone-a', VERIFY)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('phone-b is not Ready')
    expect(r.stderr).toMatch(/awake/)
  })

  it('waits for a phone that has just joined to turn Ready', () => {
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    sim.setup('phone-b', 'tailscale')
    sim.run('phone-b', JOIN, ['phone-a'])
    const r = sim.run('phone-a', VERIFY)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('✓  phone-b is Ready')
  })
})
