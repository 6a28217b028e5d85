/**
 * The VM's own tools: systemctl and journalctl for the k3s and tailscaled units, id, hostname,
 * uname, ss, ip (the network Android's Linux Terminal app gives the VM: a tethered /24 on
 * avf_tap_fixed, the gateway being Android), ping, socat, sleep, df, timedatectl.
 */
import type { Ctx } from './runtime.ts'
import process from 'node:process'
import { overlayWorks } from './cluster.ts'
import { tailnetIp, unitName } from './hosts.ts'
import { startUnit, stopUnit, waitForStart, writeKubeconfig } from './k3s.ts'
import { isAlive, listeners } from './network.ts'
import { Exit, has, parseDuration, parseFlags, value } from './runtime.ts'

export function systemctl(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: ['-n', '--lines'], boolean: ['--no-block', '--quiet', '-q', '--no-pager', '--now', '-l', '--full'] }, f => ctx.reject(`systemctl: unrecognized option '${f}'`, 1))
  const [verb, ...units] = p.positional
  const unit = (units[0] ?? '').replace(/\.service$/, '')
  const { host, world } = ctx
  const k3s = host.k3s && unitName(host.k3s) === unit ? host.k3s : null
  const known = k3s || (unit === 'tailscaled' && host.tailscale.installed)
  const quiet = has(p, '--quiet', '-q')
  const state = k3s ? k3s.unit.state : unit === 'tailscaled' && host.tailscale.daemon ? 'active' : 'inactive'
  switch (verb) {
    case 'is-active':
      if (!quiet)
        ctx.out(`${known ? state : 'inactive'}\n`)
      throw new Exit(state === 'active' ? 0 : known ? 3 : 4)
    case 'is-enabled':
      if (!known)
        ctx.fail(`Failed to get unit file state for ${unit}.service: No such file or directory`)
      ctx.out('enabled\n')
      return
    case 'status': {
      if (!known)
        ctx.fail(`Unit ${unit}.service could not be found.`, 4)
      const since = k3s ? k3s.unit.since : 0
      ctx.out(`● ${unit}.service - ${k3s ? 'Lightweight Kubernetes' : 'Tailscale node agent'}\n     Loaded: loaded (/etc/systemd/system/${unit}.service; enabled; preset: enabled)\n     Active: ${state}${state === 'activating' ? ' (start)' : state === 'active' ? ' (running)' : ' (dead)'} since ${new Date(Date.parse('2026-12-01T09:00:00Z') + since * 1000).toUTCString()}\n`)
      for (const line of (host.journal[unit] ?? []).slice(-10)) ctx.out(`${line}\n`)
      throw new Exit(state === 'active' ? 0 : 3)
    }
    case 'start':
    case 'restart':
    case 'stop':
    case 'enable':
    case 'disable':
    case 'daemon-reload':
      break
    default:
      ctx.reject(`Unknown command verb '${verb}'.`, 1)
  }
  if (!ctx.root)
    ctx.fail(`Failed to ${verb} ${unit}.service: Interactive authentication required.\nSee system logs and 'systemctl status ${unit}.service' for details.`)
  if (verb === 'daemon-reload')
    return
  if (!known)
    ctx.fail(`Failed to ${verb} ${unit}.service: Unit ${unit}.service not found.`, 5)
  if (unit === 'tailscaled') {
    host.tailscale.daemon = verb !== 'stop' && verb !== 'disable'
    return
  }
  if (verb === 'enable' || verb === 'disable') {
    k3s!.unit.enabled = verb === 'enable'
    return
  }
  if (verb === 'stop')
    return stopUnit(world, host)
  if (verb === 'start' && k3s!.unit.state === 'active')
    return
  startUnit(world, host)
  // k3s server writes its admin kubeconfig as it starts, however it was started (docs.k3s.io/cli/server:
  // --write-kubeconfig, default /etc/rancher/k3s/k3s.yaml) — as the installer's own start does.
  if (k3s!.role === 'server' && !k3s!.unit.failure)
    writeKubeconfig(ctx)
  if (has(p, '--no-block'))
    return
  waitForStart(ctx, host, verb)
}

export function journalctl(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: ['-u', '--unit', '-n', '--lines', '-o', '--output', '--since'], boolean: ['--no-pager', '-x', '-e', '-b', '-f', '--follow', '-q'] }, f => ctx.reject(`journalctl: unrecognized option '${f}'`, 1))
  const unit = (value(p, '-u', '--unit') ?? '').replace(/\.service$/, '')
  const lines = Number(value(p, '-n', '--lines') ?? 10)
  if (!ctx.root) {
    ctx.out('Hint: You are currently not seeing messages from other users and the system.\n      Users in groups \'adm\', \'systemd-journal\' can see all messages.\n      Pass -q to turn off this notice.\n-- No entries --\n')
    return
  }
  const entries = (ctx.host.journal[unit] ?? []).slice(-lines)
  ctx.out(entries.length ? `${entries.join('\n')}\n` : '-- No entries --\n')
}

export function id(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: [], boolean: ['-u', '-g', '-n', '-G', '-un', '-gn', '-r'] }, f => ctx.reject(`id: invalid option -- '${f.replace(/^-+/, '')}'`, 1))
  const root = ctx.root
  const user = root ? 'root' : ctx.host.user
  const uid = root ? 0 : 1000
  if (has(p, '-u'))
    return ctx.out(`${has(p, '-n') ? user : uid}\n`)
  if (has(p, '-g'))
    return ctx.out(`${has(p, '-n') ? user : uid}\n`)
  if (has(p, '-G'))
    return ctx.out(has(p, '-n') ? (root ? 'root\n' : `${user} sudo\n`) : root ? '0\n' : '1000 27\n')
  ctx.out(root ? 'uid=0(root) gid=0(root) groups=0(root)\n' : `uid=1000(${user}) gid=1000(${user}) groups=1000(${user}),27(sudo)\n`)
}

export function hostname(ctx: Ctx): void {
  if (ctx.argv.length && !['-s', '--short'].includes(ctx.argv[0]))
    ctx.reject(`hostname: the simulation only answers plain hostname (${ctx.argv.join(' ')})`, 64)
  ctx.out(`${ctx.host.hostname}\n`)
}

export function uname(ctx: Ctx): void {
  const a = ctx.argv[0] ?? '-s'
  const answers: Record<string, string> = { '-s': 'Linux', '-n': ctx.host.hostname, '-m': ctx.host.kind === 'phone' ? 'aarch64' : 'x86_64', '-r': ctx.host.kind === 'phone' ? '6.1.0-avf' : '6.12.0-amd64' }
  if (!answers[a] || ctx.argv.length > 1)
    ctx.reject(`uname: the simulation answers one of ${Object.keys(answers).join(' ')}`, 64)
  ctx.out(`${answers[a]}\n`)
}

/** ss -Hltn 'sport = :PORT' (and -u, -p, -a). */
export function ss(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: [], boolean: ['-H', '-l', '-t', '-n', '-u', '-p', '-a', '-4', '--no-header'] }, f => ctx.reject(`ss: invalid option -- '${f.replace(/^-+/, '')}'`, 1))
  const filter = p.positional.join(' ').replace(/[()]/g, '').trim()
  let port: number | null = null
  if (filter) {
    const m = /^sport = :(\d+)$/.exec(filter)
    if (!m)
      ctx.reject(`phone-sim: ss filter '${filter}' is not modelled`, 64)
    port = Number(m[1])
  }
  const wantUdp = has(p, '-u')
  const wantTcp = has(p, '-t') || !wantUdp
  const rows = listeners(ctx.world, ctx.host).filter(l => (l.proto === 'tcp' ? wantTcp : wantUdp) && (port === null || l.port === port))
  if (!has(p, '-H', '--no-header'))
    ctx.out('State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n')
  for (const l of rows) {
    const local = `${l.address === '*' ? '*' : l.address}:${l.port}`
    ctx.out(`${l.proto === 'tcp' ? 'LISTEN' : 'UNCONN'} 0      ${l.proto === 'tcp' ? '4096' : '0   '}   ${local.padEnd(18)} ${'0.0.0.0:*'.padEnd(17)}${has(p, '-p') ? ` users:(("${l.process.split(' ')[0]}",pid=${/pid=(\d+)/.exec(l.process)?.[1] ?? 1234},fd=3))` : ''}\n`)
  }
}

export function ip(ctx: Ctx): void {
  const args = ctx.argv.filter(a => a !== '-4' && a !== '-br' && a !== '-brief')
  const { host, world } = ctx
  const lan = host.lan
  const cmd = args.join(' ')
  const tsIp = tailnetIp(world, host)
  const tun = host.tun && host.tailscale.deviceId
  if (/^r(?:oute)?(?: show| list)?(?: default)?$/.test(cmd)) {
    ctx.out(`default via ${lan.gateway} dev ${lan.iface} proto dhcp src ${lan.ip} metric 100\n`)
    if (!cmd.endsWith('default'))
      ctx.out(`${lan.ip.split('.').slice(0, 3).join('.')}.0/${lan.prefix} dev ${lan.iface} proto kernel scope link src ${lan.ip}\n`)
    return
  }
  // flannel's VXLAN backend routes every other node's podCIDR via that subnet's network address on
  // flannel.1, onlink (flannel-io/flannel pkg/backend/vxlan/vxlan_network.go); a `dev` filter is left
  // out of the lines (iproute2). No flannel.1 before this node's k3s runs.
  if (/^r(?:oute)?(?: show| list)? dev flannel\.1$/.test(cmd)) {
    const own = host.k3s?.unit.state === 'active' && world.cluster?.objects.some(o => o.kind === 'Node' && o.metadata.name === host.k3s!.nodeName)
    if (!own)
      ctx.fail('Cannot find device "flannel.1"')
    for (const node of world.cluster!.objects.filter(o => o.kind === 'Node' && o.metadata.name !== host.k3s!.nodeName)) {
      const cidr = (node.spec as { podCIDR?: string }).podCIDR
      if (cidr)
        ctx.out(`${cidr} via ${cidr.split('/')[0]} onlink \n`)
    }
    return
  }
  if (/^n(?:eigh)?(?: show)?$/.test(cmd)) {
    ctx.out(`${lan.gateway} dev ${lan.iface} lladdr 02:00:00:00:00:01 REACHABLE\n`)
    return
  }
  const addr = /^a(?:ddr)?(?: show)?(?: dev (\S+))?$/.exec(cmd)
  if (addr) {
    const dev = addr[1]
    const ifaces = [
      { name: 'lo', addr: '127.0.0.1/8' },
      { name: lan.iface, addr: `${lan.ip}/${lan.prefix}` },
      ...(tun && tsIp ? [{ name: 'tailscale0', addr: `${tsIp}/32` }] : []),
    ]
    const shown = dev ? ifaces.filter(i => i.name === dev) : ifaces
    if (dev && !shown.length)
      ctx.fail(`Device "${dev}" does not exist.`)
    shown.forEach((i, n) => ctx.out(`${n + 1}: ${i.name}: <UP,LOWER_UP> mtu 1500 state UP\n    inet ${i.addr} scope global ${i.name}\n`))
    return
  }
  const link = /^l(?:ink)?(?: show)?(?: dev)? (\S+)$/.exec(cmd)
  if (link) {
    if (link[1] === 'tailscale0' && !(tun && tsIp))
      ctx.fail(`Device "${link[1]}" does not exist.`)
    if (![lan.iface, 'lo', 'tailscale0', 'flannel.1'].includes(link[1]))
      ctx.fail(`Device "${link[1]}" does not exist.`)
    ctx.out(`3: ${link[1]}: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1280 state UNKNOWN\n`)
    return
  }
  ctx.reject(`phone-sim: ip ${ctx.argv.join(' ')} is not modelled`, 64)
}

/** ping -c N -W SECONDS ADDRESS: a pod network address of another node answers only through VXLAN. */
export function ping(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: ['-c', '-W', '-w', '-i'], boolean: ['-q', '-n', '-4'] }, f => ctx.reject(`ping: invalid option -- '${f.replace(/^-+/, '')}'`, 2))
  const [target] = p.positional
  if (!target)
    ctx.fail('ping: usage error: Destination address required', 1)
  const count = Number(value(p, '-c') ?? 4)
  const wait = Number(value(p, '-W') ?? 10)
  const { world, host } = ctx
  let ok = false
  const m = /^10\.42\.\d+\.0$/.exec(target)
  if (m && world.cluster && host.k3s) {
    const node = world.cluster.objects.find(o => o.kind === 'Node' && (o.spec as { podCIDR?: string }).podCIDR === `${target}/24`)
    ok = !!node && overlayWorks(world, host.k3s.nodeName, node.metadata.name)
  }
  else if (target === '127.0.0.1' || target === host.lan.gateway) {
    ok = true
  }
  else {
    ctx.reject(`phone-sim: ping ${target} is not modelled`, 64)
  }
  ctx.out(`PING ${target} (${target}) 56(84) bytes of data.\n`)
  if (ok) {
    ctx.advance(count)
    ctx.out(`\n--- ${target} ping statistics ---\n${count} packets transmitted, ${count} received, 0% packet loss, time ${count * 1000}ms\n`)
    return
  }
  ctx.advance(count * wait)
  ctx.out(`\n--- ${target} ping statistics ---\n${count} packets transmitted, 0 received, 100% packet loss, time ${count * 1000}ms\n`)
  throw new Exit(1)
}

/** socat TCP-LISTEN:PORT[,opts] TCP:HOST:PORT: registers the listener; the process then stays until killed. */
export function socat(ctx: Ctx): number | null {
  const [listen, target, ...rest] = ctx.argv
  const m = /^TCP4?-LISTEN:(\d+)((?:,[a-z-]+(?:=[^,]+)?)*)$/i.exec(listen ?? '')
  const t = /^TCP4?:([^:]+):(\d+)$/i.exec(target ?? '')
  if (!m || !t || rest.length)
    ctx.reject(`phone-sim: socat ${ctx.argv.join(' ')} is not modelled`, 64)
  const options = m[2].split(',').filter(Boolean)
  for (const o of options) {
    if (!/^(?:fork|reuseaddr|bind=[\d.]+|range=.*)$/.test(o))
      ctx.reject(`socat[${process.pid}] E unknown option "${o}"`, 1)
  }
  const bind = options.find(o => o.startsWith('bind='))?.slice(5) ?? '0.0.0.0'
  const port = Number(m[1])
  const taken = listeners(ctx.world, ctx.host).find(l => l.proto === 'tcp' && l.port === port && (l.address === '*' || l.address === '0.0.0.0' || bind === '0.0.0.0' || l.address === bind))
  if (taken)
    ctx.fail(`socat[${process.pid}] E bind(5, {AF=2 ${bind}:${port}}, 16): Address already in use`)
  ctx.host.forwarders = ctx.host.forwarders.filter(f => isAlive(f.pid))
  ctx.host.forwarders.push({ pid: process.pid, command: `socat ${ctx.argv.join(' ')}`, proto: 'tcp', bindAddress: bind, port, target: `${t[1]}:${t[2]}` })
  return process.pid
}

export function sleep(ctx: Ctx): void {
  if (ctx.argv.length !== 1)
    ctx.reject(`phone-sim: sleep ${ctx.argv.join(' ')} is not modelled`, 64)
  const seconds = ctx.argv[0] === 'infinity' ? Infinity : parseDuration(ctx.argv[0])
  if (Number.isNaN(seconds))
    ctx.fail(`sleep: invalid time interval '${ctx.argv[0]}'\nTry 'sleep --help' for more information.`)
  if (seconds === Infinity)
    ctx.hang('sleep infinity')
  if (!ctx.advance(seconds))
    throw new Exit(124)
}

export function df(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: ['--output'], boolean: ['-P', '-m', '-k', '-h'] }, f => ctx.reject(`df: unrecognized option '${f}'`, 1))
  const mb = ctx.host.diskFreeMB
  ctx.out('Filesystem     1M-blocks  Used Available Use% Mounted on\n')
  ctx.out(`/dev/vda1          ${8000}  ${8000 - mb}      ${mb}  ${Math.round(((8000 - mb) / 8000) * 100)}% ${p.positional[0] ?? '/'}\n`)
}

export function timedatectl(ctx: Ctx): void {
  const args = ctx.argv.join(' ')
  if (args === 'show -p NTPSynchronized --value' || args === 'show --property=NTPSynchronized --value')
    return ctx.out(`${ctx.host.clockSynced ? 'yes' : 'no'}\n`)
  if (args === '' || args === 'status')
    return ctx.out(`System clock synchronized: ${ctx.host.clockSynced ? 'yes' : 'no'}\n              NTP service: active\n`)
  ctx.reject(`phone-sim: timedatectl ${args} is not modelled`, 64)
}
