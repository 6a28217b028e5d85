/**
 * k3s on a phone: the installer (get.k3s.io's install.sh), the k3s binary, its systemd units and
 * journal. What the documentation and install.sh say, modelled:
 * - the installer writes a Type=notify unit with TimeoutStartSec=0 and runs `systemctl restart`
 *   unless INSTALL_K3S_SKIP_START=true, so a k3s that never gets ready blocks the installer forever;
 * - re-running with the same settings says "No change detected so skipping service start";
 * - K3S_URL makes an agent and needs K3S_TOKEN; a different token over an existing server's data is
 *   fatal ("bootstrap data already found and encrypted with different token");
 * - an agent whose node name another machine holds gets "Node password rejected" and retries forever;
 * - an agent that can't reach the server on 6443 retries forever ("Waiting to retrieve agent configuration");
 * - --flannel-iface tailscale0 without that interface is fatal; missing kernel features break flannel.
 */
import type { Ctx } from './runtime.ts'
import type { Host, K3sInstall, World } from './world.ts'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import process from 'node:process'
import { canReach, newCluster } from './cluster.ts'
import { journal, tailnetIp, unitName } from './hosts.ts'
import { clusterCredential, K3S_KUBECONFIG, kubectl } from './kubectl.ts'
import { Exit, parseFlags } from './runtime.ts'

export const K3S_PROGRAMS = ['k3s', 'kubectl', 'crictl', 'ctr', 'k3s-killall.sh']
const SERVER_START_SECONDS = 25
const AGENT_START_SECONDS = 12

function write(ctx: Ctx, path: string, text: string): void {
  const file = join(ctx.sysroot, path)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, text)
}

/** K3S_TOKEN may be the full K10<hash>::server:<passphrase> form or the passphrase alone. */
const passphrase = (token: string) => token.split(':').at(-1)

/** Why this host's k3s can't get ready now: fatal (the process exits) or retrying (it never notifies). */
export function k3sProblem(world: World, host: Host): { fatal?: string, retrying?: string } {
  const k3s = host.k3s!
  if (host.missingKernelFeatures.length)
    return { fatal: `flannel exited: operation not supported (missing kernel features: ${host.missingKernelFeatures.join(', ')}; run k3s check-config)` }
  if (k3s.flannelIface && k3s.flannelIface === 'tailscale0' && !existsSync(join(world_sysroot(host), 'sys/class/net/tailscale0'))) {
    return { fatal: `unable to find interface ${k3s.flannelIface}` }
  }
  if (k3s.nodeIp && k3s.nodeIp !== host.lan.ip && k3s.nodeIp !== tailnetIp(world, host)) {
    return { fatal: `failed to find interface with specified node ip ${k3s.nodeIp}` }
  }
  if (k3s.role === 'server') {
    if (world.cluster && world.cluster.server === host.id && passphrase(world.cluster.token) !== passphrase(k3s.token)) {
      return { fatal: 'starting kubernetes: preparing server: bootstrap data already found and encrypted with different token' }
    }
    // A server far below its documented 2 GB (docs.k3s.io/installation/requirements) never gets its
    // API server ready: the unit stays "activating (start)" for good, as on a 1 GB Raspberry Pi
    // (k3s-io/k3s#2071, #2822), and the installer's `systemctl restart` never returns.
    if (host.memAvailableMB < 500)
      return { retrying: `Waiting for API server to become available: only ${host.memAvailableMB} MB of memory available (OOM kills of kube-apiserver)` }
    return {}
  }
  const cluster = world.cluster
  const server = cluster ? world.hosts[cluster.server] : undefined
  const url = k3s.serverUrl ?? ''
  const serverIp = /^https:\/\/([^:/]+):6443/.exec(url)?.[1]
  const serverReachable = !!server && server.k3s?.unit.state === 'active' && !!serverIp
    && (tailnetIp(world, server) === serverIp || server.lan.ip === serverIp) && canReach(world, host, server, 'tcp', 6443)
  if (!serverReachable)
    return { retrying: `Waiting to retrieve agent configuration; server is not ready: failed to get CA certs: Get "${url}/cacerts": dial tcp ${serverIp}:6443: i/o timeout` }
  if (passphrase(cluster!.token) !== passphrase(k3s.token)) {
    return { retrying: `Failed to validate connection to cluster at ${url}: token CA hash does not match the Cluster CA certificate hash` }
  }
  const owner = cluster!.nodePasswords[k3s.nodeName]
  if (owner && owner !== nodePassword(host)) {
    return { retrying: `Failed to retrieve agent configuration: Node password rejected, duplicate hostname or contents of '/etc/rancher/node/password' may not match server node-passwd entry, try enabling a unique node name with the --with-node-id flag` }
  }
  return {}
}

// The sysroot path of a host, known from the environment of the running program.
function world_sysroot(host: Host): string {
  return join(process.env.SIM_DIR ?? '', 'hosts', host.id, 'root')
}

function nodePassword(host: Host): string {
  const file = join(world_sysroot(host), 'etc/rancher/node/password')
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : ''
}

/** systemctl start/restart of a k3s unit: activating now, active when k3s is up (never, if it can't get there). */
export function startUnit(world: World, host: Host): void {
  const k3s = host.k3s!
  const unit = k3s.unit
  unit.state = 'activating'
  unit.since = world.now
  unit.failure = null
  journal(host, unitName(k3s), `Starting k3s ${k3s.version} (${k3s.role})`, world.now)
  const problem = k3sProblem(world, host)
  if (problem.fatal) {
    unit.failure = problem.fatal
    unit.readyAt = null
    journal(host, unitName(k3s), `level=fatal msg="${problem.fatal}"`, world.now)
    return
  }
  const base = k3s.role === 'server' ? SERVER_START_SECONDS : AGENT_START_SECONDS
  // A VM short of memory starts k3s slowly (swapping, OOM kills of the apiserver's caches).
  const slow = host.memAvailableMB < 1200 ? 3 : 1
  if (problem.retrying) {
    unit.readyAt = null
    journal(host, unitName(k3s), `level=error msg="${problem.retrying}"`, world.now)
    return
  }
  unit.readyAt = world.now + base * slow
  if (k3s.role === 'server') {
    if (!world.cluster || world.cluster.server !== host.id)
      world.cluster = { ...newCluster(host.id, k3s.token), ca: `ca-${world.seq++}` }
  }
  registerNodePassword(world, host)
}

function registerNodePassword(world: World, host: Host): void {
  if (!world.cluster)
    return
  world.cluster.nodePasswords[host.k3s!.nodeName] ??= nodePassword(host)
}

/** Activating units whose obstacle went away (the policy opened, the server came up) finish starting. */
export function tickK3s(world: World): void {
  for (const host of Object.values(world.hosts)) {
    const unit = host.k3s?.unit
    if (!unit || unit.state !== 'activating' || unit.readyAt !== null || unit.failure)
      continue
    const problem = k3sProblem(world, host)
    if (!problem.fatal && !problem.retrying) {
      unit.readyAt = world.now + AGENT_START_SECONDS
      // a server that got unstuck creates its cluster as a prompt start would (startUnit)
      if (host.k3s!.role === 'server' && (!world.cluster || world.cluster.server !== host.id))
        world.cluster = newCluster(host.id, host.k3s!.token)
      registerNodePassword(world, host)
    }
  }
}

export function stopUnit(world: World, host: Host): void {
  const unit = host.k3s!.unit
  unit.state = 'inactive'
  unit.since = world.now
  unit.readyAt = null
  journal(host, unitName(host.k3s!), 'Stopped Lightweight Kubernetes.', world.now)
}

/** Blocks like `systemctl restart` on a Type=notify unit with TimeoutStartSec=0. */
export function waitForStart(ctx: Ctx, host: Host, verb: string): void {
  const unit = host.k3s!.unit
  const name = `${unitName(host.k3s!)}.service`
  if (unit.failure) {
    unit.state = 'failed'
    ctx.fail(`Job for ${name} failed because the control process exited with error code.\nSee "systemctl status ${name}" and "journalctl -xeu ${name}" for details.`)
  }
  if (unit.readyAt === null) {
    ctx.hang(`systemctl ${verb} ${name}: k3s never gets ready (Type=notify, TimeoutStartSec=0): ${(host.journal[unitName(host.k3s!)] ?? []).at(-1) ?? ''}`)
  }
  if (!ctx.advance(unit.readyAt - ctx.world.now))
    throw new Exit(124)
}

const SERVER_FLAGS = ['--node-name', '--node-ip', '--flannel-iface', '--write-kubeconfig-mode', '--write-kubeconfig-group', '--token', '--tls-san', '--disable', '--node-external-ip', '--advertise-address', '--bind-address', '--data-dir', '--node-label', '--kubelet-arg', '--flannel-backend']
const AGENT_FLAGS = ['--node-name', '--node-ip', '--flannel-iface', '--token', '--server', '--node-label', '--kubelet-arg', '--node-external-ip', '--data-dir']

/** get.k3s.io's install.sh, reached through `curl -sfL https://get.k3s.io | … sh -s - [server|agent] FLAGS`. */
export function installer(ctx: Ctx): void {
  const { world, host, env } = ctx
  const args = [...ctx.argv]
  const url = env.K3S_URL
  const token = env.K3S_TOKEN ?? ''
  let role: 'server' | 'agent' = url ? 'agent' : 'server'
  if (args[0] === 'server' || args[0] === 'agent')
    role = args.shift() as 'server' | 'agent'
  if (url && !token)
    ctx.fail('[ERROR]  Defaulted k3s exec command to \'agent\' because K3S_URL is defined, but K3S_TOKEN or K3S_TOKEN_FILE is not defined.')
  if (role === 'agent' && !url)
    ctx.fail('[ERROR]  K3S_URL is required for an agent')
  const known = role === 'server' ? SERVER_FLAGS : AGENT_FLAGS
  const parsed = parseFlags(args, { withValue: known, boolean: ['--with-node-id', '--debug'] }, flag => ctx.reject(`k3s ${role}: flag provided but not defined: ${flag} (k3s exits at once; the installer's service never starts)`, 1))
  if (parsed.positional.length)
    ctx.reject(`k3s ${role}: unexpected argument ${parsed.positional[0]}`, 1)
  if (!ctx.root && !host.programs.includes('sudo'))
    ctx.fail('[ERROR]  Can not find sudo, run as root or install sudo')
  const version = env.INSTALL_K3S_VERSION || 'v1.34.3+k3s3'
  ctx.out(`[INFO]  Using ${version} as release\n`)
  if (world.networkSlowdown > 50) {
    ctx.advance(120)
    ctx.fail(`[ERROR]  Download failed`)
  }
  const existing = host.k3s
  if (existing && existing.role !== role)
    ctx.fail(`[ERROR]  k3s ${existing.role} is already installed here: uninstall it first (k3s-${existing.role === 'agent' ? 'agent-' : ''}uninstall.sh)`)
  if (existing?.version === version) {
    ctx.out('[INFO]  Skipping binary downloaded, installed k3s matches hash\n')
  }
  else {
    ctx.out(`[INFO]  Downloading hash https://github.com/k3s-io/k3s/releases/download/${version}/sha256sum-arm64.txt\n[INFO]  Downloading binary https://github.com/k3s-io/k3s/releases/download/${version}/k3s-arm64\n[INFO]  Verifying binary download\n[INFO]  Installing k3s to /usr/local/bin/k3s\n`)
    ctx.advance(10 * world.networkSlowdown)
  }
  const flag = (name: string) => parsed.flags[name]?.at(-1) ?? null
  const configFile = join(ctx.sysroot, 'etc/rancher/k3s/config.yaml')
  const configName = existsSync(configFile) ? /^node-name:\s*"?([a-z0-9.-]+)"?\s*$/m.exec(readFileSync(configFile, 'utf8'))?.[1] : undefined
  const install: K3sInstall = {
    role,
    version,
    token: token || existing?.token || (role === 'server' ? `K10${'0'.repeat(8)}::server:${world.seq++}random` : ''),
    nodeName: flag('--node-name') ?? configName ?? host.hostname,
    nodeIp: flag('--node-ip'),
    flannelIface: flag('--flannel-iface'),
    serverUrl: url ?? null,
    kubeconfigMode: flag('--write-kubeconfig-mode'),
    kubeconfigGroup: flag('--write-kubeconfig-group'),
    args: parsed.flags ? args : [],
    unit: existing?.unit ?? { state: 'inactive', since: world.now, readyAt: null, failure: null, enabled: false },
  }
  const unchanged = existing && JSON.stringify({ ...existing, unit: null }) === JSON.stringify({ ...install, unit: null })
  for (const p of [...K3S_PROGRAMS, role === 'server' ? 'k3s-uninstall.sh' : 'k3s-agent-uninstall.sh']) {
    if (!host.programs.includes(p))
      host.programs.push(p)
  }
  ctx.out('[INFO]  Creating /usr/local/bin/kubectl symlink to k3s\n[INFO]  Creating /usr/local/bin/crictl symlink to k3s\n[INFO]  Creating /usr/local/bin/ctr symlink to k3s\n')
  ctx.out(`[INFO]  Creating killall script /usr/local/bin/k3s-killall.sh\n[INFO]  Creating uninstall script /usr/local/bin/k3s${role === 'agent' ? '-agent' : ''}-uninstall.sh\n`)
  const unit = role === 'server' ? 'k3s' : 'k3s-agent'
  ctx.out(`[INFO]  env: Creating environment file /etc/systemd/system/${unit}.service.env\n[INFO]  systemd: Creating service file /etc/systemd/system/${unit}.service\n`)
  write(ctx, `etc/systemd/system/${unit}.service`, `[Unit]\nDescription=Lightweight Kubernetes\nWants=network-online.target\n\n[Service]\nType=notify\nKillMode=process\nDelegate=yes\nTimeoutStartSec=0\nRestart=always\nRestartSec=5s\nExecStart=/usr/local/bin/k3s ${role} ${args.join(' ')}\n`)
  if (!existsSync(join(ctx.sysroot, 'etc/rancher/node/password')))
    write(ctx, 'etc/rancher/node/password', `${world.seq++}${host.id}password\n`)
  host.k3s = install
  install.unit.enabled = true
  ctx.out(`[INFO]  systemd: Enabling ${unit} unit\nCreated symlink /etc/systemd/system/multi-user.target.wants/${unit}.service → /etc/systemd/system/${unit}.service.\n`)
  if (role === 'server') {
    mkdirSync(join(ctx.sysroot, 'var/lib/rancher/k3s/server'), { recursive: true })
    const tokenFile = join(ctx.sysroot, 'var/lib/rancher/k3s/server/token')
    if (!existsSync(tokenFile) || !world.cluster)
      writeFileSync(tokenFile, `K10c0ffee${host.id.replace(/[^a-z0-9]/g, '')}::server:${install.token.split(':').at(-1)}\n`)
  }
  else {
    mkdirSync(join(ctx.sysroot, 'var/lib/rancher/k3s/agent'), { recursive: true })
  }
  if (unchanged && install.unit.state === 'active') {
    ctx.out('[INFO]  No change detected so skipping service start\n')
    return
  }
  if (env.INSTALL_K3S_SKIP_START === 'true')
    return
  ctx.out(`[INFO]  systemd: Starting ${unit}\n`)
  startUnit(world, host)
  if (role === 'server' && !install.unit.failure)
    writeKubeconfig(ctx)
  waitForStart(ctx, host, 'restart')
}

/** What k3s writes on start: the admin kubeconfig, mode/group as --write-kubeconfig-mode/-group say. */
export function writeKubeconfig(ctx: Ctx): void {
  const cluster = ctx.world.cluster
  if (!cluster)
    return
  write(ctx, K3S_KUBECONFIG, `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: c2ltdWxhdGVkLWNh
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: c2ltdWxhdGVkLWNlcnQ=
    client-key-data: ${clusterCredential(cluster.token, cluster.server, cluster.ca)}
`)
}

/** /usr/local/bin/k3s-uninstall.sh and k3s-agent-uninstall.sh: stop, delete data, binaries and units. */
export function uninstall(ctx: Ctx): void {
  const { world, host } = ctx
  if (!ctx.root)
    ctx.fail('rm: cannot remove \'/usr/local/bin/k3s\': Permission denied')
  const k3s = host.k3s
  if (!k3s)
    ctx.fail(`${ctx.cmd}: k3s is not installed`)
  stopUnit(world, host)
  if (k3s.role === 'server' && world.cluster?.server === host.id)
    world.cluster = null
  for (const dir of ['etc/rancher', 'var/lib/rancher', 'etc/systemd/system/k3s.service', 'etc/systemd/system/k3s-agent.service']) rmSync(join(ctx.sysroot, dir), { recursive: true, force: true })
  host.programs = host.programs.filter(p => ![...K3S_PROGRAMS, 'k3s-uninstall.sh', 'k3s-agent-uninstall.sh'].includes(p))
  host.k3s = null
  host.images = []
  ctx.out('+ id -u\n+ [ 0 -eq 0 ]\n+ K3S_DATA_DIR=/var/lib/rancher/k3s\n+ /usr/local/bin/k3s-killall.sh\n+ systemctl disable k3s\n+ rm -rf /var/lib/rancher/k3s\n+ rm -f /usr/local/bin/k3s\n')
}

/** The k3s binary: --version, check-config, kubectl, crictl (images, inspecti, pull). */
export function k3sBinary(ctx: Ctx): void {
  const { host } = ctx
  const [sub, ...rest] = ctx.argv
  const version = host.k3s?.version ?? 'v1.34.3+k3s3'
  if (sub === '--version' || sub === '-v' || sub === 'version') {
    ctx.out(`k3s version ${version} (5f4c0d3a)\ngo version go1.24.11\n`)
    return
  }
  if (sub === 'kubectl') {
    ctx.argv = rest
    return kubectl(ctx)
  }
  if (sub === 'check-config') {
    const missing = host.missingKernelFeatures
    ctx.out('\nVerifying binaries in /var/lib/rancher/k3s/data/current/bin:\n- sha256sum: good\n\nSystem:\n- /usr/sbin iptables v1.8.11 (nf_tables): ok\n- swap: disabled\n- routes: ok\n\nLimits:\n- /proc/sys/kernel/keys/root_maxkeys: 1000000\n\n')
    ctx.out(`info: reading kernel config from /proc/config.gz ...\n\nGenerally Necessary:\n- cgroup hierarchy: ${host.cgroupV2 ? 'cgroups V2 mounted, cpu|cpuset|memory controllers status: good' : 'nonexistent??'}\n`)
    for (const f of ['CONFIG_NAMESPACES', 'CONFIG_NET_NS', 'CONFIG_VETH', 'CONFIG_BRIDGE', 'CONFIG_VXLAN', 'CONFIG_IP_NF_IPTABLES', 'CONFIG_NETFILTER_XT_MATCH_COMMENT']) ctx.out(`- ${f}: ${missing.includes(f) ? 'missing' : 'enabled'}\n`)
    const failures = missing.length + (host.cgroupV2 ? 0 : 1)
    ctx.out(`\nSTATUS: ${failures === 0 ? 'pass' : `${failures} (fail)`}\n`)
    if (failures)
      throw new Exit(1)
    return
  }
  if (sub === 'crictl')
    return crictl(ctx, rest)
  if (!host.k3s)
    ctx.fail('k3s: not installed')
  ctx.reject(`phone-sim: k3s ${sub ?? ''} is not modelled`, 64)
}

function crictl(ctx: Ctx, argv: string[]): void {
  const { host, world } = ctx
  if (!ctx.root)
    ctx.fail('FATA[0000] validate service connection: validate CRI v1 image API for endpoint "unix:///run/k3s/containerd/containerd.sock": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/k3s/containerd/containerd.sock: connect: permission denied"')
  if (!host.k3s || host.k3s.unit.state !== 'active')
    ctx.fail('FATA[0000] validate service connection: validate CRI v1 image API for endpoint "unix:///run/k3s/containerd/containerd.sock": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/k3s/containerd/containerd.sock: connect: no such file or directory"')
  const [verb, ...args] = argv
  const normal = (image: string) => image.replace(/^docker\.io\//, '')
  if (verb === 'images') {
    ctx.out('IMAGE                                     TAG                    IMAGE ID            SIZE\n')
    for (const image of host.images) {
      const [name, tag] = normal(image).split(':')
      ctx.out(`${(name.includes('/') && name.split('/')[0].includes('.') ? name : `docker.io/${name}`).padEnd(42)}${(tag ?? 'latest').padEnd(23)}${'0123456789abc'.padEnd(20)}42MB\n`)
    }
    return
  }
  if (verb === 'inspecti') {
    const image = args.filter(a => !a.startsWith('-'))[0]
    if (!host.images.includes(normal(image ?? '')))
      ctx.fail(`FATA[0000] no such image "${image}" present`)
    ctx.out(`{"status": {"repoTags": ["${image}"]}}\n`)
    return
  }
  if (verb === 'pull') {
    const image = normal(args.filter(a => !a.startsWith('-'))[0] ?? '')
    if (!world.registry.includes(image)) {
      ctx.advance(3)
      ctx.fail(`FATA[0003] pulling image: rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/${image}": not found`)
    }
    if (!host.images.includes(image)) {
      ctx.advance(20 * world.networkSlowdown)
      host.images.push(image)
    }
    ctx.out(`Image is up to date for sha256:${'0'.repeat(12)}\n`)
    return
  }
  ctx.reject(`phone-sim: crictl ${verb} is not modelled`, 64)
}
