// echo-demo/scripts/01-install-k3s.sh on the simulated phones: a fresh phone, a re-run, refusals and a k3s that never gets ready.
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../../tools/phone-sim/index.ts'
import { echoDemo, lastLine, scenes, useSim } from '../../support/script-scenes.ts'

const INSTALL = echoDemo('01-install-k3s.sh')
const sim = useSim()
const { uninstall, expectUsage, node, isReady } = scenes(sim)

describe('01-install-k3s.sh', () => {
  it('answers --help and refuses an unknown argument with the usage', () => {
    expectUsage(INSTALL)
  })

  it('says how to get curl when it is missing', () => {
    uninstall('phone-a', 'curl')
    const r = sim.run('phone-a', INSTALL)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('\'curl\' is not installed')
    expect(lastLine(r)).toContain('sudo apt install -y curl')
    expect(sim.world().hosts['phone-a'].k3s).toBeNull()
  })

  it('makes a fresh phone a one-node cluster, without warning droid that it is root', () => {
    const r = sim.run('phone-a', INSTALL)
    expect(r.code).toBe(0)
    expect(r.output).not.toContain('Running as root')
    expect(r.stdout).toContain('✓  node phone-a to be Ready')
    expect(isReady('phone-a')).toBe(true)
    expect(sim.world().hosts['phone-a'].k3s?.unit.state).toBe('active')
    expect(sim.sh('phone-a', 'kubectl get nodes -o name').stdout).toBe('node/phone-a\n')
  })

  it('warns when it runs as root (with sudo), so that kubectl would be set up for the wrong user', () => {
    const r = sim.sh('phone-a', `sudo ${REPO_ROOT}/${INSTALL}`)
    expect(r.stderr).toContain('Running as root')
  })

  it('ends with what to look at when k3s never gets ready, instead of hanging in the installer', () => {
    // A VM starved of memory never gets its API server up: systemd shows "activating" for good.
    sim.update(w => void (w.hosts['phone-a'].memAvailableMB = 300))
    // Polls every 30 simulated seconds instead of 5: the same 3 minutes, fewer programs to start for real.
    const r = sim.run('phone-a', INSTALL, [], { env: { DEMO_POLL_SECONDS: '30' } })
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('k3s did not start')
    expect(r.stderr).toContain('sudo journalctl -u k3s')
    expect(r.stderr).toMatch(/memory/i)
    expect(r.seconds).toBeLessThan(400)
  })

  it('explains missing kernel features instead of ending on systemd\'s "Job failed"', () => {
    sim.update(w => void (w.hosts['phone-a'].missingKernelFeatures = ['CONFIG_VXLAN']))
    const r = sim.run('phone-a', INSTALL)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('operation not supported')
    expect(lastLine(r)).toContain('sudo k3s check-config')
  })

  it('refuses another token than the existing cluster\'s before touching it, and says what to do', () => {
    sim.setup('phone-a', 'server')
    const before = node('phone-a')!.metadata.uid
    const r = sim.run('phone-a', INSTALL, [], { env: { K3S_TOKEN: 'another-token' } })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('another token')
    expect(lastLine(r)).toContain('--reinstall')
    expect(sim.world().hosts['phone-a'].k3s?.token).toBe('abc')
    expect(node('phone-a')!.metadata.uid).toBe(before)
  })

  it('says what to do when k3s itself refuses the token over the existing data', () => {
    sim.setup('phone-a', 'server')
    // The token file is gone (deleted by hand), so only k3s can tell that the token differs.
    sim.sh('phone-a', 'sudo rm "$DEMO_SYSROOT/var/lib/rancher/k3s/server/token"')
    const r = sim.run('phone-a', INSTALL, [], { env: { K3S_TOKEN: 'another-token' } })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('encrypted with different token')
    expect(lastLine(r)).toContain('--reinstall')
  })

  it('a re-run keeps the cluster, its data and its node', () => {
    sim.setup('phone-a', 'server')
    const before = node('phone-a')!.metadata.uid
    const r = sim.run('phone-a', INSTALL)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Keeping the cluster')
    expect(node('phone-a')!.metadata.uid).toBe(before)
    expect(isReady('phone-a')).toBe(true)
  })
})
