// The commands README.md gives people who follow the talk on their own phones, run in the
// simulation: what they change is what the README says they change.
import type { Sim } from '../../tools/phone-sim/index.ts'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSim } from '../../tools/phone-sim/index.ts'

const SLOW = 120_000
/** README "Before you start" → Memory: the drop-in that keeps traefik and metrics-server off (the path under the simulated machine's root). */
function smallVm(addOns: string[]) {
  return `sudo mkdir -p "$DEMO_SYSROOT/etc/rancher/k3s/config.yaml.d"
printf 'disable:\\n${addOns.map(a => `  - ${a}\\n`).join('')}' | sudo tee "$DEMO_SYSROOT/etc/rancher/k3s/config.yaml.d/small-vm.yaml"`
}

let sim: Sim
const addOns = () => sim.world().cluster!.objects.filter(o => o.kind === 'Deployment' && o.metadata.namespace === 'kube-system').map(o => o.metadata.name).sort()

describe('README: a 2 GB VM without traefik and metrics-server', () => {
  beforeEach(() => {
    sim = createSim()
  })
  afterEach(() => sim.cleanup())

  it('the drop-in keeps them off, and the echo server still answers on 8081', () => {
    expect(sim.sh('phone-a', smallVm(['traefik', 'metrics-server'])).code).toBe(0)
    expect(sim.run('phone-a', 'echo-demo/scripts/01-install-k3s.sh').code).toBe(0)
    expect(addOns()).toEqual(['coredns', 'local-path-provisioner'])
    expect(sim.run('phone-a', 'echo-demo/scripts/03-deploy-echo.sh').code).toBe(0)
    const r = sim.run('phone-a', 'echo-demo/scripts/04-curl.sh')
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toContain('"node": "phone-a"')
  }, SLOW)

  it('without servicelb as well, nothing answers on 8081: servicelb must stay', () => {
    sim.sh('phone-a', smallVm(['traefik', 'metrics-server', 'servicelb']))
    sim.run('phone-a', 'echo-demo/scripts/01-install-k3s.sh')
    sim.run('phone-a', 'echo-demo/scripts/03-deploy-echo.sh')
    const r = sim.run('phone-a', 'echo-demo/scripts/04-curl.sh')
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('No answer from http://localhost:8081')
  }, SLOW)
})

describe('README: the commands in "When something goes wrong" and "After the talk"', () => {
  beforeEach(() => {
    sim = createSim()
    sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
    sim.setup('phone-b', 'tailscale', 'agent')
  }, SLOW)
  afterEach(() => sim.cleanup())

  it('are accepted by the tools they call, on the phone they belong to', () => {
    const commands: Array<[string, string]> = [
      ['phone-a', 'sudo journalctl -u k3s -n 50 --no-pager'],
      ['phone-b', 'sudo journalctl -u k3s-agent -n 50 --no-pager'],
      ['phone-a', 'sudo k3s check-config'],
      ['phone-a', 'sudo systemctl restart k3s'],
      ['phone-a', 'timedatectl status'],
      ['phone-a', 'kubectl apply -f "$SIM_REPO/echo-demo/manifests/echo.yaml" >/dev/null && kubectl rollout status deployment/echo --timeout=600s'],
    ]
    for (const [host, command] of commands) {
      const r = sim.sh(host, command)
      expect(r.code, `${host}: ${command}\n${r.output}`).toBe(0)
    }
  }, SLOW)

  it('node password rejected: kubectl delete node, and the phone joins again', () => {
    sim.sh('phone-b', 'sudo k3s-agent-uninstall.sh >/dev/null')
    sim.sh('phone-b', 'sudo rm -f "$DEMO_SYSROOT/etc/rancher/node/password"') // a fresh VM
    const rejected = sim.run('phone-b', 'echo-demo/scripts/08-join-cluster.sh', ['phone-a'])
    expect(rejected.code).toBe(1)
    expect(rejected.stderr).toContain('Node password rejected')
    expect(sim.sh('phone-a', 'kubectl delete node phone-b').code).toBe(0)
    const joined = sim.run('phone-b', 'echo-demo/scripts/08-join-cluster.sh', ['phone-a'])
    expect(joined.code, joined.output).toBe(0)
  }, SLOW)

  it('after the talk, by hand: uninstall and log out — the tailnet forgets the phones', () => {
    expect(sim.sh('phone-b', 'sudo k3s-agent-uninstall.sh >/dev/null && sudo tailscale logout').code).toBe(0)
    expect(sim.sh('phone-a', 'sudo k3s-uninstall.sh >/dev/null && sudo tailscale logout').code).toBe(0)
    const world = sim.world()
    expect(world.hosts['phone-a'].k3s).toBeNull()
    expect(world.hosts['phone-b'].k3s).toBeNull()
    expect(world.cluster).toBeNull()
    expect(world.tailnet.devices.map(d => d.host)).toEqual([])
  }, SLOW)
})
