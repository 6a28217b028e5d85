/**
 * The tailscale CLI and tailscaled in the VM, as tailscale.com/kb/1080 (CLI) and kb/1241
 * (`tailscale up` flags) describe them:
 * - `up` needs root (or --operator); it logs in with --auth-key (a value or file:PATH) or waits for a
 *   browser login, printing the URL, until --timeout (forever without one);
 * - a re-run that leaves out a non-default flag set before fails ("requires mentioning all
 *   non-default flags") unless --reset; `tailscale set` changes one preference;
 * - a name another device still holds gets a -1, -2 … suffix in MagicDNS; ephemeral keys make devices
 *   that go away disappear; `logout` expires a non-ephemeral device but leaves it listed;
 * - a tailnet with device approval waits for an admin unless the key is pre-approved;
 * - without /dev/net/tun tailscaled runs in userspace mode: no tailscale0;
 * - `funnel`/`serve` need HTTPS certificates and, for funnel, the funnel node attribute (kb/1223).
 */
import type { Ctx } from './runtime.ts'
import type { Device } from './world.ts'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { deviceOf, onTailnet, resolveName } from './hosts.ts'
import { has, parseDuration, parseFlags, value } from './runtime.ts'

const UP_FLAGS = {
  withValue: ['--auth-key', '--authkey', '--hostname', '--timeout', '--advertise-tags', '--operator', '--login-server', '--exit-node', '--advertise-routes', '--netfilter-mode'],
  boolean: ['--ssh', '--reset', '--force-reauth', '--accept-routes', '--accept-dns', '--shields-up', '--qr', '--json', '--advertise-exit-node'],
}
const SET_FLAGS = { withValue: ['--hostname', '--operator', '--exit-node'], boolean: ['--ssh', '--accept-routes', '--accept-dns', '--shields-up', '--webclient', '--advertise-exit-node'] }
/** The preferences `up` remembers (a later `up` must mention them all); the auth key and timeout are not. */
const PREFS = ['--hostname', '--ssh', '--accept-routes', '--shields-up', '--advertise-tags', '--operator', '--exit-node', '--advertise-routes', '--advertise-exit-node']

function flagError(ctx: Ctx, sub: string, flag: string): never {
  ctx.reject(`flag provided but not defined: ${flag.replace(/^--/, '-').replace(/ \(needs a value\)$/, '')}\nUSAGE\n  tailscale ${sub} [flags]\n`, 1)
}

function requireDaemon(ctx: Ctx): void {
  if (!ctx.host.tailscale.daemon)
    ctx.fail('failed to connect to local tailscaled; it doesn\'t appear to be running (sudo systemctl start tailscaled ?)')
}

function requireWrite(ctx: Ctx, sub: string): void {
  const operator = ctx.host.tailscale.prefs['--operator']
  if (!ctx.root && operator !== ctx.host.user)
    ctx.fail(`Access denied: prefs write access denied\n\nUse 'sudo tailscale ${sub}'.\nTo not require root, use 'sudo tailscale set --operator=$USER' once.`)
}

function tunDevice(ctx: Ctx, up: boolean): void {
  const dir = join(ctx.sysroot, 'sys/class/net/tailscale0')
  if (up && ctx.host.tun) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'operstate'), 'unknown\n')
  }
  else if (!up) {
    rmSync(dir, { recursive: true, force: true })
  }
}

function readAuthKey(ctx: Ctx, raw: string): string {
  if (!raw.startsWith('file:'))
    return raw
  const path = resolve(ctx.cwd, raw.slice(5))
  if (!existsSync(path))
    ctx.fail(`reading auth key file: open ${raw.slice(5)}: no such file or directory`)
  return readFileSync(path, 'utf8').trim()
}

function freeName(world: Ctx['world'], wanted: string, self: Device | undefined): string {
  const taken = (n: string) => world.tailnet.devices.some(d => d !== self && d.name === n)
  if (!taken(wanted))
    return wanted
  for (let i = 1; ; i++) {
    if (!taken(`${wanted}-${i}`))
      return `${wanted}-${i}`
  }
}

function nextIp(world: Ctx['world']): string {
  const used = new Set(world.tailnet.devices.map(d => d.ip))
  for (let i = 1; ; i++) {
    const ip = `100.${64 + Math.floor(i / 256)}.${(i * 37) % 256}.${(i * 11) % 250 + 1}`
    if (!used.has(ip))
      return ip
  }
}

function up(ctx: Ctx): void {
  const { world, host } = ctx
  const p = parseFlags(ctx.argv, UP_FLAGS, f => flagError(ctx, 'up', f))
  if (p.positional.length)
    ctx.fail(`too many non-flag arguments: ${JSON.stringify(p.positional)}`)
  requireDaemon(ctx)
  requireWrite(ctx, 'up')
  const ts = host.tailscale
  const timeout = value(p, '--timeout') !== undefined ? parseDuration(value(p, '--timeout')!) : 0
  if (Number.isNaN(timeout))
    ctx.fail(`invalid value "${value(p, '--timeout')}" for flag -timeout: parse error`)
  const given: Record<string, string> = {}
  for (const f of PREFS) {
    if (p.flags[f])
      given[f] = p.flags[f].at(-1)!
  }
  const loggedIn = ts.backend === 'Running' || ts.backend === 'Stopped'
  // A bare `tailscale up` (no flags at all) just brings the network up again without changes
  // (checkForAccidentalSettingReverts in tailscale's cmd/tailscale/cli/up.go).
  if (loggedIn && !has(p, '--reset') && ctx.argv.length > 0) {
    const missing = Object.keys(ts.prefs).filter(f => !(f in given))
    if (missing.length) {
      const all = { ...ts.prefs, ...given }
      ctx.fail(`Error: changing settings via 'tailscale up' requires mentioning all\nnon-default flags. To proceed, either re-run your command with --reset or\nuse the command below to explicitly mention the current value of\nall non-default flags:\n\n\ttailscale up ${Object.entries(all).map(([k, v]) => (v === 'true' ? k : `${k}=${v}`)).join(' ')}\n`)
    }
  }
  ts.prefs = has(p, '--reset') ? given : { ...ts.prefs, ...given }
  const device = deviceOf(world, host)
  if (loggedIn && device && !device.expired && !has(p, '--force-reauth')) {
    applyHostname(ctx, device)
    ts.backend = device.approved ? 'Running' : 'NeedsMachineAuth'
    if (ts.backend === 'Running') {
      tunDevice(ctx, true)
      return
    }
  }
  const rawKey = value(p, '--auth-key', '--authkey')
  if (!device || device.expired || has(p, '--force-reauth')) {
    if (!rawKey) {
      ts.backend = 'NeedsLogin'
      ts.authUrl = `https://login.tailscale.com/a/${(world.seq++).toString(16).padStart(8, 'a')}`
      ctx.err(`\nTo authenticate, visit:\n\n\t${ts.authUrl}\n\n`)
      waitOrTimeout(ctx, timeout, 'NeedsLogin')
    }
    const key = readAuthKey(ctx, rawKey)
    const props = world.tailnet.keys[key]
    if (!props || props.expired || (props.used && !props.reusable)) {
      ctx.fail('backend error: invalid key: unable to validate API key')
    }
    props.used = true
    if (device)
      world.tailnet.devices = world.tailnet.devices.filter(d => d !== device || !d.ephemeral)
    const hostname = ts.prefs['--hostname'] ?? host.hostname
    const fresh: Device = {
      id: `n${world.seq++}`,
      host: host.id,
      hostname,
      name: freeName(world, hostname, undefined),
      ip: device && !device.ephemeral ? device.ip : nextIp(world),
      ephemeral: props.ephemeral,
      approved: !world.tailnet.deviceApproval || props.preauthorized,
      expired: false,
    }
    if (device && !device.ephemeral)
      world.tailnet.devices = world.tailnet.devices.filter(d => d !== device)
    world.tailnet.devices.push(fresh)
    ts.deviceId = fresh.id
  }
  const current = deviceOf(world, host)!
  if (!current.approved) {
    ts.backend = 'NeedsMachineAuth'
    ctx.err('\nTo approve your machine, visit (as admin):\n\n\thttps://login.tailscale.com/admin/machines\n\n')
    waitOrTimeout(ctx, timeout, 'NeedsMachineAuth')
  }
  ts.backend = 'Running'
  ts.authUrl = null
  ctx.advance(2)
  tunDevice(ctx, true)
}

function waitOrTimeout(ctx: Ctx, timeout: number, state: string): never {
  if (!timeout)
    ctx.hang(`tailscale up waits in state ${state} (no --timeout)`)
  ctx.advance(timeout)
  ctx.fail(`timeout waiting for Tailscale service to enter a Running state; check health with "tailscale status"`)
}

function applyHostname(ctx: Ctx, device: Device): void {
  const wanted = ctx.host.tailscale.prefs['--hostname'] ?? ctx.host.hostname
  if (device.hostname !== wanted) {
    device.hostname = wanted
    device.name = freeName(ctx.world, wanted, device)
  }
}

function set(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, SET_FLAGS, f => flagError(ctx, 'set', f))
  requireDaemon(ctx)
  requireWrite(ctx, 'set')
  for (const f of [...SET_FLAGS.withValue, ...SET_FLAGS.boolean]) {
    const v = value(p, f)
    if (v === undefined)
      continue
    if (v === 'false' || v === '')
      delete ctx.host.tailscale.prefs[f]
    else ctx.host.tailscale.prefs[f] = v
  }
  const device = deviceOf(ctx.world, ctx.host)
  if (device)
    applyHostname(ctx, device)
}

function statusJson(ctx: Ctx, peers: boolean): Record<string, unknown> {
  const { world, host } = ctx
  const self = deviceOf(world, host)
  const entry = (d: Device) => ({
    ID: d.id,
    HostName: d.hostname,
    DNSName: `${d.name}.${world.tailnet.domain}.`,
    OS: 'linux',
    TailscaleIPs: [d.ip, `fd7a:115c:a1e0::${d.ip.split('.').slice(2).join(':')}`],
    Online: world.hosts[d.host] ? onTailnet(world, world.hosts[d.host]) : false,
    Expired: d.expired,
  })
  return {
    Version: '1.90.6',
    BackendState: host.tailscale.backend,
    AuthURL: host.tailscale.authUrl ?? '',
    TailscaleIPs: self && host.tailscale.backend === 'Running' ? entry(self).TailscaleIPs : null,
    // Self.CapMap: the node capabilities the control server grants ("https" for certificates,
    // "funnel" from the policy's nodeAttrs; tailcfg.CapabilityHTTPS, tailcfg.NodeAttrFunnel).
    Self: self ? { ...entry(self), CapMap: { ...(world.tailnet.https ? { https: null } : {}), ...(world.tailnet.https && world.tailnet.funnel ? { funnel: null } : {}) } } : { HostName: host.hostname, DNSName: '', TailscaleIPs: null, Online: false },
    MagicDNSSuffix: world.tailnet.domain,
    // The certificate names this node may get: only with HTTPS certificates enabled (kb/1153).
    ...(self && world.tailnet.https && world.tailnet.magicDNS ? { CertDomains: [`${self.name}.${world.tailnet.domain}`] } : {}),
    CurrentTailnet: { Name: 'droid@example.com', MagicDNSSuffix: world.tailnet.domain, MagicDNSEnabled: world.tailnet.magicDNS },
    ...(peers ? { Peer: Object.fromEntries(world.tailnet.devices.filter(d => d !== self).map(d => [`nodekey:${d.id}`, entry(d)])) } : {}),
  }
}

function status(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: [], boolean: ['--json', '--peers', '--self', '--active'] }, f => flagError(ctx, 'status', f))
  requireDaemon(ctx)
  const ts = ctx.host.tailscale
  if (has(p, '--json')) {
    ctx.out(`${JSON.stringify(statusJson(ctx, value(p, '--peers') !== 'false'), null, 2)}\n`)
    return
  }
  if (ts.backend === 'Stopped')
    ctx.fail('Tailscale is stopped.')
  if (ts.backend === 'NeedsLogin' || ts.backend === 'NoState')
    ctx.fail(`Logged out.${ts.authUrl ? `\nLog in at: ${ts.authUrl}` : ''}`)
  if (ts.backend === 'NeedsMachineAuth')
    ctx.fail('Machine is not yet approved by tailnet admin.')
  const self = deviceOf(ctx.world, ctx.host)!
  const rows = [self, ...ctx.world.tailnet.devices.filter(d => d !== self)]
  for (const d of rows) {
    const h = ctx.world.hosts[d.host]
    const state = d === self ? '-' : d.expired ? 'expired' : h && onTailnet(ctx.world, h) ? 'active; direct' : 'offline'
    ctx.out(`${d.ip.padEnd(16)}${d.name.padEnd(16)}droid@       linux   ${state}\n`)
  }
}

function ip(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: [], boolean: ['-4', '-6', '-1'] }, f => flagError(ctx, 'ip', f))
  requireDaemon(ctx)
  const { world, host } = ctx
  const show = (d: Device) => ctx.out(`${has(p, '-6') ? '' : `${d.ip}\n`}${has(p, '-4') ? '' : `fd7a:115c:a1e0::${d.ip.split('.').slice(2).join(':')}\n`}`)
  const [peer] = p.positional
  const self = deviceOf(world, host)
  if (!self || !(host.tailscale.backend === 'Running' || host.tailscale.backend === 'Stopped'))
    ctx.fail(`no current Tailscale IPs; state: ${host.tailscale.backend}`)
  if (!peer)
    return show(self)
  const label = peer.toLowerCase().replace(`.${world.tailnet.domain}`, '').replace(/\.$/, '')
  const found = world.tailnet.devices.find(d => d.name === label || d.ip === peer)
  if (!found)
    ctx.fail(`unknown peer "${peer}"`)
  show(found)
}

function ping(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, { withValue: ['--c', '-c', '--timeout'], boolean: ['--tsmp', '--icmp', '--until-direct', '--verbose'] }, f => flagError(ctx, 'ping', f))
  requireDaemon(ctx)
  const [peer] = p.positional
  if (!peer)
    ctx.fail('usage: ping <hostname-or-IP>')
  const target = resolveName(ctx.world, ctx.host, peer)
  const device = ctx.world.tailnet.devices.find(d => d.ip === target)
  if (!device)
    ctx.fail(`unknown peer "${peer}"`)
  const other = ctx.world.hosts[device.host]
  if (!onTailnet(ctx.world, ctx.host) || !other || !onTailnet(ctx.world, other)) {
    ctx.advance(10)
    ctx.fail(`timeout waiting for ping reply`)
  }
  ctx.out(`pong from ${device.name} (${device.ip}) via DERP(fra) in 48ms\n`)
}

function down(ctx: Ctx): void {
  parseFlags(ctx.argv, { withValue: [], boolean: ['--accept-risk'] }, f => flagError(ctx, 'down', f))
  requireDaemon(ctx)
  requireWrite(ctx, 'down')
  if (ctx.host.tailscale.backend === 'Running')
    ctx.host.tailscale.backend = 'Stopped'
}

function logout(ctx: Ctx): void {
  parseFlags(ctx.argv, { withValue: ['--reason'], boolean: [] }, f => flagError(ctx, 'logout', f))
  requireDaemon(ctx)
  requireWrite(ctx, 'logout')
  const { world, host } = ctx
  const device = deviceOf(world, host)
  if (device) {
    if (device.ephemeral)
      world.tailnet.devices = world.tailnet.devices.filter(d => d !== device)
    else device.expired = true
  }
  host.tailscale.deviceId = null
  host.tailscale.backend = 'NeedsLogin'
  host.tailscale.serve = []
  tunDevice(ctx, false)
}

/**
 * `tailscale funnel` and `serve` (kb/1223, kb/1311 and the CLI in cmd/tailscale/cli/serve_v2.go):
 * `--bg --https=PORT TARGET` writes the serve config, `status [--json]`, `reset`, `--https=PORT off`.
 * Without the node capabilities (HTTPS certificates; for funnel also the "funnel" node attribute)
 * the CLI doesn't fail: enableFeatureInteractive prints the control server's text and an admin URL
 * on stdout and blocks until an admin enables the feature (ShouldWait). `off` needs no capability;
 * with no serve config at all it does nothing, with a config that lacks the port it fails.
 */
function serveOrFunnel(ctx: Ctx, kind: 'serve' | 'funnel'): void {
  const p = parseFlags(ctx.argv, { withValue: ['--https', '--http', '--set-path', '--tcp', '--tls-terminated-tcp', '--proxy-protocol'], boolean: ['--bg', '--yes', '--json'] }, f => flagError(ctx, kind, f))
  requireDaemon(ctx)
  const { world, host } = ctx
  const ts = host.tailscale
  const [first, second] = p.positional
  const name = `${deviceOf(world, host)?.name}.${world.tailnet.domain}`
  if (first === 'status') {
    // `funnel status` and `serve status` both show the whole serve config (serve_v2.go runServeStatus).
    const rules = ts.serve
    if (has(p, '--json')) {
      // ipn.ServeConfig: every field is omitempty, so no config at all is {}.
      const config = rules.length ? { TCP: Object.fromEntries(rules.map(r => [String(r.https), { HTTPS: true }])), Web: Object.fromEntries(rules.map(r => [`${name}:${r.https}`, { Handlers: { '/': { Proxy: r.target } } }])), ...(rules.some(r => r.funnel) ? { AllowFunnel: Object.fromEntries(rules.filter(r => r.funnel).map(r => [`${name}:${r.https}`, true])) } : {}) } : {}
      return ctx.out(`${JSON.stringify(config, null, 2)}\n`)
    }
    if (!rules.length)
      return ctx.out('No serve config\n')
    for (const r of rules) ctx.out(`\n# ${r.funnel ? 'Funnel on' : 'Tailnet only'}:\n#     - https://${name}${r.https === 443 ? '' : `:${r.https}`}\n\nhttps://${name}${r.https === 443 ? '' : `:${r.https}`} (${r.funnel ? 'Funnel on' : 'tailnet only'})\n|-- / proxy ${r.target}\n\n`)
    return
  }
  requireWrite(ctx, kind)
  if (first === 'reset') {
    ts.serve = []
    return
  }
  if (ts.backend !== 'Running')
    ctx.fail('Tailscale is not running: tailscale up first')
  const https = Number(value(p, '--https') ?? 443)
  if (first === undefined)
    ctx.fail(`error: target is required`)
  if ((second ?? first) === 'off') {
    if (!ts.serve.length)
      return
    if (!ts.serve.some(r => r.https === https))
      ctx.fail('error: handler does not exist')
    ts.serve = ts.serve.filter(r => r.https !== https)
    return
  }
  const missing = !world.tailnet.https ? 'serve' : kind === 'funnel' && !world.tailnet.funnel ? 'funnel' : null
  if (missing) {
    const feature = missing === 'serve' ? 'Serve' : 'Funnel'
    ctx.out(`\n${feature} is not enabled on your tailnet.\nTo enable, visit:\n\n         https://login.tailscale.com/f/${missing}?node=${host.tailscale.deviceId}\n\n`)
    ctx.hang(`tailscale ${kind} waits until an admin enables ${feature} for the tailnet (HTTPS certificates${missing === 'funnel' ? ' and the funnel node attribute' : ''})`)
  }
  if (kind === 'funnel' && ![443, 8443, 10000].includes(https))
    ctx.fail(`port ${https} is not allowed for funnel; use 443, 8443 or 10000`)
  const target = /^\d+$/.test(first) ? `http://127.0.0.1:${first}` : first
  if (!has(p, '--bg'))
    ctx.hang(`tailscale ${kind} in the foreground serves until Ctrl-C (use --bg)`)
  ts.serve = [...ts.serve.filter(r => r.https !== https), { https, target, funnel: kind === 'funnel' }]
  ctx.out(`Available ${kind === 'funnel' ? 'on the internet' : 'within your tailnet'}:\n\nhttps://${name}${https === 443 ? '' : `:${https}`}/\n|-- proxy ${target}\n\n${kind === 'funnel' ? 'Funnel' : 'Serve'} started and running in the background.\nTo disable the proxy, run: tailscale ${kind} --https=${https} off\n`)
}

export function tailscale(ctx: Ctx): void {
  if (!ctx.host.tailscale.installed)
    ctx.fail('tailscale: command not found', 127)
  const [sub, ...rest] = ctx.argv
  ctx.argv = rest
  switch (sub) {
    case 'version':
      ctx.out('1.90.6\n  tailscale commit: 0a1b2c3d\n  go version: go1.25.3\n')
      return
    case 'up': return up(ctx)
    case 'set': return set(ctx)
    case 'status': return status(ctx)
    case 'ip': return ip(ctx)
    case 'ping': return ping(ctx)
    case 'down': return down(ctx)
    case 'logout': return logout(ctx)
    case 'funnel': return serveOrFunnel(ctx, 'funnel')
    case 'serve': return serveOrFunnel(ctx, 'serve')
    case undefined:
      ctx.fail('USAGE\n  tailscale [flags] <subcommand> [command flags]', 0)
      break
    default:
      ctx.reject(`tailscale: unknown subcommand: ${sub}`, 1)
  }
}

/** https://tailscale.com/install.sh piped to sh: installs tailscale and starts tailscaled (needs root via sudo). */
export function tailscaleInstaller(ctx: Ctx): void {
  const { host } = ctx
  if (!ctx.root && !host.programs.includes('sudo'))
    ctx.fail('This installer needs to run commands as root.\nWe tried looking for \'sudo\' and \'doas\', but couldn\'t find them.')
  ctx.out('Installing Tailscale for debian trixie, using method apt\n')
  ctx.advance(15 * ctx.world.networkSlowdown)
  host.tailscale.installed = true
  host.tailscale.daemon = true
  if (host.tailscale.backend === 'NoState')
    host.tailscale.backend = 'NeedsLogin'
  for (const p of ['tailscale', 'tailscaled']) {
    if (!host.programs.includes(p))
      host.programs.push(p)
  }
  ctx.out('Installation complete! Log in to start using Tailscale by running:\n\ntailscale up\n')
}
