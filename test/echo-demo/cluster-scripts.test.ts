/**
 * The echo demo's phone and tailnet scripts (01, 07, 08, 09, 10) on the simulated phones: fresh
 * phones, re-runs, a second phone, the tailnet policy, a sleeping phone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AUTH_KEY, createSim, REPO_ROOT, type RunResult, type Sim } from '../../tools/phone-sim/index.ts'

const INSTALL = 'echo-demo/scripts/01-install-k3s.sh'
const TAILSCALE = 'echo-demo/scripts/07-setup-tailscale.sh'
const JOIN = 'echo-demo/scripts/08-join-cluster.sh'
const VERIFY = 'echo-demo/scripts/09-verify-multi-node.sh'
const UNINSTALL = 'echo-demo/scripts/10-uninstall-k3s.sh'
/** an install and a few simulated minutes of waiting take a while for real on a busy machine */
const SLOW = 120_000

let sim: Sim
beforeEach(() => {
  sim = createSim()
})
afterEach(() => sim.cleanup())

/** The auth key saved on a phone as the README says (in its home, never in this repository). */
function keyFile(host: string, mode = 0o600): Record<string, string> {
  sim.write(host, '~/.tailscale-key', `${AUTH_KEY}\n`, mode)
  return { TAILSCALE_KEY_FILE: sim.path(host, '~/.tailscale-key') }
}

const device = (name: string) => sim.world().tailnet.devices.find((d) => d.name === name)
const node = (name: string) => sim.world().cluster?.objects.find((o) => o.kind === 'Node' && o.metadata.name === name)
const isReady = (name: string) => ((node(name)?.status?.conditions ?? []) as Array<{ type: string; status: string }>).some((c) => c.type === 'Ready' && c.status === 'True')
const uninstalled = (host: string, program: string) => sim.update((w) => void (w.hosts[host].programs = w.hosts[host].programs.filter((p) => p !== program)))
/** The last line of what a script printed on an error: the hint. */
const lastLine = (r: RunResult) => r.output.trim().split('\n').at(-1) ?? ''

/** phone-a the control plane, phone-b joined, both on the tailnet. */
function twoPhones(): void {
  sim.setup('phone-a', 'tailscale', 'server-on-tailnet')
  sim.setup('phone-b', 'tailscale', 'agent')
  sim.wait(10)
}

function expectUsage(script: string, args: string[] = []): void {
  const help = sim.run('phone-a', script, ['--help'])
  expect(help.code).toBe(0)
  expect(help.stdout).toMatch(/^Usage: \S+\.sh/)
  const bad = sim.run('phone-a', script, [...args, '--bogus'])
  expect(bad.code).toBe(2)
  expect(bad.stderr).toContain('--bogus')
  expect(bad.stderr).toContain('Usage:')
}

describe('01-install-k3s.sh', { timeout: SLOW }, () => {
  it('answers --help and refuses an unknown argument with the usage', () => {
    expectUsage(INSTALL)
  })

  it('says how to get curl when it is missing', () => {
    uninstalled('phone-a', 'curl')
    const r = sim.run('phone-a', INSTALL)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("'curl' is not installed")
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
    sim.update((w) => void (w.hosts['phone-a'].memAvailableMB = 300))
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
    sim.update((w) => void (w.hosts['phone-a'].missingKernelFeatures = ['CONFIG_VXLAN']))
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

describe('07-setup-tailscale.sh', { timeout: SLOW }, () => {
  let env: Record<string, string>
  beforeEach(() => {
    env = keyFile('phone-a')
  })

  it('answers --help and refuses an unknown argument or a missing HOSTNAME with the usage', () => {
    expectUsage(TAILSCALE, ['phone-a'])
    const missing = sim.run('phone-a', TAILSCALE)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('HOSTNAME is missing')
  })

  it('says how to create the auth key file when there is none', () => {
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env: { TAILSCALE_KEY_FILE: sim.path('phone-a', '~/nothing-here') } })
    expect(r.code).toBe(1)
    expect(lastLine(r)).toContain('umask 077')
    expect(sim.world().tailnet.devices).toEqual([])
  })

  it('says to create a new key when Tailscale refuses the one in the file (a one-off key, used before)', () => {
    sim.update((w) => Object.assign(w.tailnet.keys[AUTH_KEY], { reusable: false, used: true }))
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('did not accept the auth key')
    expect(lastLine(r)).toContain('https://login.tailscale.com/admin/settings/keys')
    expect(sim.world().tailnet.devices).toEqual([])
  })

  it('refuses a key file other users can read', () => {
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env: keyFile('phone-a', 0o644) })
    expect(r.code).toBe(1)
    expect(lastLine(r)).toContain('chmod 600')
  })

  it('says how to get sudo when it is missing', () => {
    uninstalled('phone-a', 'sudo')
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("'sudo' is not installed")
    expect(lastLine(r)).toContain('apt install -y sudo')
  })

  it('explains a VM without /dev/net/tun', () => {
    sim.update((w) => void (w.hosts['phone-a'].tun = false))
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('/dev/net/tun')
    expect(lastLine(r)).toContain('sudo modprobe tun')
  })

  it('installs Tailscale on a fresh phone and joins the tailnet under the name asked for', () => {
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(0)
    const d = device('phone-a')!
    expect(d.host).toBe('phone-a')
    expect(r.stdout).toContain(`✓  This phone is phone-a in the tailnet: ${d.ip} (phone-a.tail1234.ts.net)`)
    expect(sim.exists('phone-a', '/sys/class/net/tailscale0')).toBe(true)
  })

  it('a re-run works after Tailscale SSH was turned on as the README says (tailscale up would refuse)', () => {
    sim.setup('phone-a', 'tailscale')
    sim.sh('phone-a', 'sudo tailscale set --ssh')
    const before = device('phone-a')!
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(0)
    expect(r.output).not.toContain('requires mentioning all')
    expect(device('phone-a')).toEqual(before)
    expect(sim.world().hosts['phone-a'].tailscale.prefs['--ssh']).toBe('true')
  })

  it('a re-run after tailscale down brings the phone back online with its settings', () => {
    sim.setup('phone-a', 'tailscale')
    sim.sh('phone-a', 'sudo tailscale set --ssh && sudo tailscale down')
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(0)
    expect(sim.world().hosts['phone-a'].tailscale.backend).toBe('Running')
    expect(sim.world().hosts['phone-a'].tailscale.prefs['--ssh']).toBe('true')
  })

  it('a re-run with another name renames the phone in the tailnet', () => {
    sim.setup('phone-a', 'tailscale')
    const r = sim.run('phone-a', TAILSCALE, ['phone-c'], { env })
    expect(r.code).toBe(0)
    expect(device('phone-c')?.host).toBe('phone-a')
    expect(device('phone-a')).toBeUndefined()
  })

  it('explains a name that came back with a suffix because an old device still holds it', () => {
    // This phone's earlier VM, logged out but still listed in the admin console.
    sim.update((w) => void w.tailnet.devices.push({ id: 'old', host: 'old-vm', hostname: 'phone-a', name: 'phone-a', ip: '100.64.200.1', ephemeral: false, approved: true, expired: true }))
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(1)
    expect(device('phone-a-1')?.host).toBe('phone-a')
    expect(r.stderr).toContain('phone-a-1')
    expect(r.stderr).toContain('another device in the tailnet holds the name phone-a')
    expect(lastLine(r)).toContain('https://login.tailscale.com/admin/machines')
  })

  it('ends with a clear message when the tailnet waits for an admin to approve the device', () => {
    sim.update((w) => {
      w.tailnet.deviceApproval = true
      w.tailnet.keys[AUTH_KEY].preauthorized = false
    })
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.hung).toBeNull()
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/approv/)
    expect(lastLine(r)).toContain('https://login.tailscale.com/admin/machines')
    expect(lastLine(r)).toContain('07-setup-tailscale.sh phone-a')
    // Approved meanwhile: the re-run finishes the job.
    sim.update((w) => void (w.tailnet.devices[0].approved = true))
    const again = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(again.code).toBe(0)
    expect(sim.world().hosts['phone-a'].tailscale.backend).toBe('Running')
  })

  it('on the control plane, makes k3s advertise the tailnet address and keeps the cluster', () => {
    sim.setup('phone-a', 'server')
    const before = node('phone-a')!.metadata.uid
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(0)
    const addresses = node('phone-a')!.status!.addresses as Array<{ type: string; address: string }>
    expect(addresses[0].address).toBe(device('phone-a')!.ip)
    expect(node('phone-a')!.metadata.uid).toBe(before)
    expect(sim.world().hosts['phone-a'].k3s?.flannelIface).toBe('tailscale0')
  })
})

describe('08-join-cluster.sh', { timeout: SLOW }, () => {
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
    uninstalled('phone-b', 'tailscale')
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
    const addresses = node('phone-b')!.status!.addresses as Array<{ type: string; address: string }>
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
    sim.update((w) => void (w.tailnet.allow = ['tcp:6443']))
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
    expect(r.stderr).toContain("'phone-x' is not a device in your tailnet")
    expect(sim.world().hosts['phone-b'].k3s).toBeNull()
  })

  it('explains a control plane that sleeps', () => {
    sim.update((w) => void (w.hosts['phone-a'].awake = false))
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

  it('ends with the fix when another phone already has the node name', () => {
    sim.cleanup()
    sim = createSim((w) => void (w.hosts['phone-c'] = { ...structuredClone(w.hosts['phone-b']), id: 'phone-c', lan: { ...w.hosts['phone-b'].lan, ip: '10.185.5.77' } }))
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

describe('09-verify-multi-node.sh', { timeout: SLOW }, () => {
  it('answers --help and refuses an unknown argument with the usage', () => {
    expectUsage(VERIFY)
  })

  it('says to install k3s first on a phone without it', () => {
    const r = sim.run('phone-a', VERIFY)
    expect(r.code).toBe(1)
    expect(lastLine(r)).toContain('01-install-k3s.sh')
  })

  it('on the agent, says to run it on the control plane', () => {
    twoPhones()
    const r = sim.run('phone-b', VERIFY)
    expect(r.code).toBe(1)
    expect(lastLine(r)).toContain('control plane')
  })

  it('checks both phones: Ready, tailnet addresses, the kubelets and the pod network between them', () => {
    twoPhones()
    const r = sim.run('phone-a', VERIFY)
    expect(r.code).toBe(0)
    for (const phone of ['phone-a', 'phone-b']) expect(r.stdout).toContain(`✓  ${phone} is Ready at ${device(phone)!.ip}`)
    expect(r.stdout).toContain('✓  The API server reaches the kubelet of phone-b')
    expect(r.stdout).toContain('✓  Pods on phone-a reach pods on phone-b (10.42.1.0)')
  })

  it('from the laptop (with a kubeconfig), checks the kubelets and leaves the pod network to the control plane', () => {
    twoPhones()
    sim.setup('laptop', 'tailscale')
    sim.write('laptop', '~/.kube/config', sim.read('phone-a', '/etc/rancher/k3s/k3s.yaml').replace('https://127.0.0.1:6443', `https://${device('phone-a')!.ip}:6443`))
    sim.update((w) => void w.hosts.laptop.programs.push('kubectl'))
    const r = sim.run('laptop', VERIFY)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('✓  The API server reaches the kubelet of phone-a')
    expect(r.stdout).toContain('✓  The API server reaches the kubelet of phone-b')
    expect(r.stdout).toContain('pod network between the phones can only be checked on the control plane')
    expect(sim.calls('ping', 'laptop')).toEqual([])
  })

  it('reports Ready nodes whose pods can\'t reach the other phone (policy without UDP 8472) with the policy fix', () => {
    twoPhones()
    sim.update((w) => void (w.tailnet.allow = ['tcp:6443', 'tcp:10250']))
    const r = sim.run('phone-a', VERIFY)
    expect(isReady('phone-b')).toBe(true)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('phone-b is Ready, but pods on phone-a can\'t reach pods on it')
    expect(lastLine(r)).toContain('udp:8472')
  })

  it('reports a kubelet the API server can\'t reach (policy without TCP 10250) with the policy fix', () => {
    twoPhones()
    sim.update((w) => void (w.tailnet.allow = ['tcp:6443', 'udp:8472']))
    const r = sim.run('phone-a', VERIFY)
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('kubelet of phone-b')
    expect(lastLine(r)).toContain('tcp:10250')
  })

  it('reports a phone that sleeps', () => {
    twoPhones()
    sim.update((w) => void (w.hosts['phone-b'].awake = false))
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

describe('10-uninstall-k3s.sh', { timeout: SLOW }, () => {
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
    uninstalled('phone-b', 'sudo')
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
    sim.update((w) => void (w.tailnet.devices.find((d) => d.name === 'phone-b')!.ephemeral = false))
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
