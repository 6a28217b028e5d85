// The commands README.md gives people who follow the talk on their own phones, run in the
// simulation: what they change is what the README says they change.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createSim, type Sim } from '../support/phone-sim/index.ts'

const SLOW = 120_000
/** README "Before you start" → Memory: the drop-in that keeps traefik and metrics-server off (the path under the simulated machine's root). */
const smallVm = (addOns: string[]) => `sudo mkdir -p "$DEMO_SYSROOT/etc/rancher/k3s/config.yaml.d"
printf 'disable:\\n${addOns.map((a) => `  - ${a}\\n`).join('')}' | sudo tee "$DEMO_SYSROOT/etc/rancher/k3s/config.yaml.d/small-vm.yaml"`

let sim: Sim
const addOns = () => sim.world().cluster!.objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === 'kube-system').map((o) => o.metadata.name).sort()

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
