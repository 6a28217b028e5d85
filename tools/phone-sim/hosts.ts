/**
 * The machines and the tailnet between them: who is online, which name resolves to which address,
 * what the tailnet policy lets through, and units that finish starting as time passes.
 */
import type { Device, Host, K3sInstall, World } from './world.ts'

export const unitName = (k3s: K3sInstall) => (k3s.role === 'server' ? 'k3s' : 'k3s-agent')

export function deviceOf(world: World, host: Host): Device | undefined {
  const id = host.tailscale.deviceId
  return id ? world.tailnet.devices.find(d => d.id === id) : undefined
}

/** The host is connected to the tailnet right now (tailscaled Running, device approved and not expired). */
export function onTailnet(world: World, host: Host): boolean {
  const device = deviceOf(world, host)
  return host.awake && host.tailscale.daemon && host.tailscale.backend === 'Running' && !!device && device.approved && !device.expired
}

/** This host's tailnet IPv4 while connected. */
export function tailnetIp(world: World, host: Host): string | null {
  return onTailnet(world, host) ? deviceOf(world, host)!.ip : null
}

export function hostByTailnetIp(world: World, ip: string): Host | undefined {
  const device = world.tailnet.devices.find(d => d.ip === ip)
  return device ? world.hosts[device.host] : undefined
}

/** The policy lets `proto:port` through between two devices (tailnet policy file, "grants"/"acls"). */
export function policyAllows(world: World, proto: 'tcp' | 'udp' | 'icmp', port: number): boolean {
  const allow = world.tailnet.allow
  return allow.includes('*') || allow.includes(`${proto}:${port}`) || (proto === 'icmp' && allow.includes('icmp'))
}

/** The internet hosts the scripts download from (the installers). */
export const PUBLIC_HOSTS: Record<string, string> = {
  'get.k3s.io': '104.21.0.10',
  'tailscale.com': '104.18.0.20',
  'pkgs.tailscale.com': '104.18.0.21',
  'github.com': '140.82.121.3',
}

/**
 * Resolves a host name as the VM's resolver would: MagicDNS (100.100.100.100) answers the
 * tailnet's names while this host is connected and MagicDNS is on; localhost is the host itself.
 * Returns an IPv4 address, or null (curl exit 6, "Could not resolve host").
 */
export function resolveName(world: World, from: Host, name: string): string | null {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name))
    return name
  if (name === 'localhost')
    return '127.0.0.1'
  const lower = name.toLowerCase().replace(/\.$/, '')
  const suffix = `.${world.tailnet.domain}`
  if (onTailnet(world, from) && world.tailnet.magicDNS) {
    const label = lower.endsWith(suffix) ? lower.slice(0, -suffix.length) : lower.includes('.') ? null : lower
    const device = label ? world.tailnet.devices.find(d => d.name === label && !d.expired) : undefined
    if (device)
      return device.ip
  }
  return PUBLIC_HOSTS[lower] ?? null
}

export function clusterHosts(world: World): Host[] {
  return Object.values(world.hosts).filter(h => h.k3s)
}

/** Units that finish starting: an activating k3s becomes active at readyAt (null: never). */
export function tickHosts(world: World): void {
  for (const host of Object.values(world.hosts)) {
    const unit = host.k3s?.unit
    if (unit && unit.state === 'activating' && unit.readyAt !== null && world.now >= unit.readyAt) {
      unit.state = 'active'
      unit.since = world.now
      journal(host, unitName(host.k3s!), 'Started Lightweight Kubernetes.', world.now)
    }
  }
  // Ephemeral devices that are offline are removed from the tailnet after a while (kb/1111).
  world.tailnet.devices = world.tailnet.devices.filter((d) => {
    if (!d.ephemeral)
      return true
    const host = world.hosts[d.host]
    return host && host.tailscale.deviceId === d.id
  })
}

export function journal(host: Host, unit: string, line: string, at: number): void {
  const stamp = new Date(Date.parse('2026-12-01T09:00:00Z') + at * 1000).toUTCString().slice(5, 25)
  ;(host.journal[unit] ??= []).push(`${stamp} debian ${unit === 'tailscaled' ? 'tailscaled' : 'k3s'}[${1000 + (host.journal[unit]?.length ?? 0)}]: ${line}`)
}
