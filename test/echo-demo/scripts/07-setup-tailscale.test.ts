// echo-demo/scripts/07-setup-tailscale.sh on the simulated phones: the auth key, a fresh phone, re-runs, names taken, approval.
import { beforeEach, describe, expect, it } from 'vitest'
import { AUTH_KEY } from '../../../tools/phone-sim/index.ts'
import { echoDemo, lastLine, scenes, useSim } from '../../support/script-scenes.ts'

const TAILSCALE = echoDemo('07-setup-tailscale.sh')
const sim = useSim()
const { keyFile, uninstall, expectUsage, node, device } = scenes(sim)

describe('07-setup-tailscale.sh', () => {
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
    sim.update(w => Object.assign(w.tailnet.keys[AUTH_KEY], { reusable: false, used: true }))
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
    uninstall('phone-a', 'sudo')
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('\'sudo\' is not installed')
    expect(lastLine(r)).toContain('apt install -y sudo')
  })

  it('explains a VM without /dev/net/tun', () => {
    sim.update(w => void (w.hosts['phone-a'].tun = false))
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
    sim.update(w => void w.tailnet.devices.push({ id: 'old', host: 'old-vm', hostname: 'phone-a', name: 'phone-a', ip: '100.64.200.1', ephemeral: false, approved: true, expired: true }))
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
    sim.update(w => void (w.tailnet.devices[0].approved = true))
    const again = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(again.code).toBe(0)
    expect(sim.world().hosts['phone-a'].tailscale.backend).toBe('Running')
  })

  it('on the control plane, makes k3s advertise the tailnet address and keeps the cluster', () => {
    sim.setup('phone-a', 'server')
    const before = node('phone-a')!.metadata.uid
    const r = sim.run('phone-a', TAILSCALE, ['phone-a'], { env })
    expect(r.code).toBe(0)
    const addresses = node('phone-a')!.status!.addresses as Array<{ type: string, address: string }>
    expect(addresses[0].address).toBe(device('phone-a')!.ip)
    expect(node('phone-a')!.metadata.uid).toBe(before)
    expect(sim.world().hosts['phone-a'].k3s?.flannelIface).toBe('tailscale0')
  })
})
