/**
 * The entry point of every simulated program: `sim NAME ARGS…` (through bin/sim). Programs that only
 * change the world run under its lock; sudo, timeout, ssh and scp run another program (outside the
 * lock); socat and `kubectl get --watch` keep running until they are killed.
 */
import { spawnSync } from 'node:child_process'
import { appendFileSync, copyFileSync, existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { k3sBinary, installer, uninstall } from './k3s.ts'
import { curl } from './curl.ts'
import { kubectl, mayRead, view, WatchRequest } from './kubectl.ts'
import { hostEnv, homeOf, syncPrograms, sysroot } from './layout.ts'
import { resolveName } from './hosts.ts'
import { connect } from './network.ts'
import { Exit, Hang, makeCtx, parseDuration } from './runtime.ts'
import { df, hostname, id, ip, journalctl, ping, sleep, socat, ss, systemctl, timedatectl, uname } from './system.ts'
import { tailscale, tailscaleInstaller } from './tailscale.ts'
import type { KObject, World } from './world.ts'
import { readWorld, withWorld } from './world.ts'

const dir = process.env.SIM_DIR!
const hostId = process.env.SIM_HOST!
const [name, ...argv] = process.argv.slice(2)

appendFileSync(join(dir, 'calls.jsonl'), `${JSON.stringify({ host: hostId, cmd: name, argv, env: pick(process.env, ['K3S_TOKEN', 'K3S_URL', 'INSTALL_K3S_VERSION', 'INSTALL_K3S_SKIP_START', 'INSTALL_K3S_EXEC', 'KUBECONFIG', 'SIM_ROOT']) })}\n`)

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]!]))
}

const TOOLS: Record<string, (ctx: ReturnType<typeof makeCtx>) => unknown> = {
  kubectl, k3s: k3sBinary, curl, tailscale, systemctl, journalctl, id, hostname, uname, ss, ip, ping, sleep, df, timedatectl, socat,
  crictl: (ctx) => {
    ctx.argv = ['crictl', ...ctx.argv]
    return k3sBinary(ctx)
  },
  'k3s-installer': installer,
  'tailscale-installer': tailscaleInstaller,
  'k3s-uninstall.sh': uninstall,
  'k3s-agent-uninstall.sh': uninstall,
  'k3s-killall.sh': (ctx) => {
    if (ctx.host.k3s) ctx.host.k3s.unit.state = 'inactive'
  },
  tailscaled: (ctx) => ctx.reject('phone-sim: run tailscaled through systemctl', 64),
}

/** Kills the run this program belongs to: it would never return on a phone. */
function endRun(what: string): never {
  process.stderr.write(`\n[phone-sim] this would block forever on a phone: ${what}\n`)
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const pgrp = Number(fields[2])
  const session = Number(fields[3])
  if (process.env.SIM_KILL_GROUP === '1' && pgrp === session && pgrp > 1) process.kill(-pgrp, 'SIGKILL')
  process.exit(124)
}

function runInWorld(): void {
  const out: string[] = []
  const err: string[] = []
  let code = 0
  let hung: string | null = null
  let watch: WatchRequest | null = null
  let stayAlive = false
  withWorld(dir, (world) => {
    const ctx = makeCtx(dir, world, hostId, name, argv, out, err)
    const tool = TOOLS[name]
    try {
      if (!tool) ctx.reject(`phone-sim: no program ${name}`, 127)
      const result = tool(ctx)
      if (name === 'socat' && typeof result === 'number') stayAlive = true
    } catch (e) {
      if (e instanceof Exit) code = e.code
      else if (e instanceof Hang) {
        hung = e.what
        world.hung = { host: hostId, cmd: name, argv, at: world.now, what: e.what }
      } else if (e instanceof WatchRequest) watch = e
      else {
        err.push(`[phone-sim] ${name} crashed: ${(e as Error).stack}\n`)
        world.rejections.push({ host: hostId, cmd: name, argv, reason: `crash: ${(e as Error).message}` })
        code = 70
      }
    }
    syncPrograms(dir, world)
  })
  process.stdout.write(out.join(''))
  process.stderr.write(err.join(''))
  if (hung) endRun(hung)
  if (watch) return void watchLoop(watch)
  if (stayAlive) {
    process.on('SIGTERM', () => process.exit(143))
    setInterval(() => {}, 1 << 30)
    return
  }
  process.exitCode = code
}

/** kubectl get KIND --watch --output-watch-events -o json: ADDED for what exists, then every change, until killed. */
function watchLoop(w: WatchRequest): void {
  const seen = new Map<string, string>()
  const key = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`
  const emit = (type: string, o: KObject) => process.stdout.write(`${JSON.stringify({ type, object: view(o) }, null, 4)}\n`)
  const poll = () => {
    const world: World = readWorld(dir)
    const objs = (world.cluster?.objects ?? []).filter((o) => o.kind === w.kind && (w.allNs || (o.metadata.namespace ?? 'default') === w.ns))
    const now = new Set<string>()
    for (const o of objs) {
      now.add(key(o))
      const before = seen.get(key(o))
      if (before === undefined) emit('ADDED', o)
      else if (before !== o.metadata.resourceVersion) emit('MODIFIED', o)
      seen.set(key(o), o.metadata.resourceVersion)
    }
    for (const [k] of seen) {
      if (!now.has(k)) {
        const [ns, n] = k.split('/')
        process.stdout.write(`${JSON.stringify({ type: 'DELETED', object: { apiVersion: 'v1', kind: w.kind, metadata: { name: n, namespace: ns || undefined } } }, null, 4)}\n`)
        seen.delete(k)
      }
    }
  }
  poll()
  setInterval(poll, 100)
  // A real watch has delivered every change by the time it is stopped (they reach it within
  // milliseconds). Simulated time jumps ahead between polls, so the last changes are polled here.
  process.on('SIGTERM', () => {
    poll()
    process.exit(143)
  })
}

// --- programs that run other programs ---
function run(command: string[], env: Record<string, string>, cwd = process.cwd()): number {
  const r = spawnSync(command[0], command.slice(1), { env, cwd, stdio: 'inherit' })
  if (r.error) {
    process.stderr.write(`${command[0]}: command not found\n`)
    return 127
  }
  return r.status ?? 128 + 9
}

const baseEnv = () => Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<string, string>

function sudo(): void {
  let i = 0
  const assignments: Record<string, string> = {}
  let keepEnv = false
  while (i < argv.length) {
    const a = argv[i]
    if (a === '-n' || a === '-H') i++
    else if (a === '-E' || a === '--preserve-env') {
      keepEnv = true
      i++
    } else if (a === '-u' && argv[i + 1] === 'root') i += 2
    else if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(a)) {
      assignments[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1)
      i++
    } else if (a.startsWith('-')) {
      recordRejection(`sudo: invalid option '${a}'`)
      process.stderr.write(`sudo: invalid option -- '${a.replace(/^-+/, '')}'\n`)
      process.exit(1)
    } else break
  }
  const command = argv.slice(i)
  if (!command.length) {
    process.stderr.write('usage: sudo -h | -K | -k | -V\n')
    process.exit(1)
  }
  // Absolute paths must stay inside the simulation: a script that forgot DEMO_SYSROOT fails its test.
  for (const a of command) {
    const p = a.slice(a.indexOf('=') + 1).replace(/^file:/, '')
    if (p.startsWith('/') && p !== '/dev/null' && !p.startsWith(dir) && !p.startsWith(process.env.SIM_REPO!)) {
      recordRejection(`sudo: refusing ${a} (outside the simulated machine)`)
      process.stderr.write(`[phone-sim] sudo: refusing ${a}: outside the simulated machine (a path without DEMO_SYSROOT?)\n`)
      process.exit(97)
    }
  }
  // env_reset (sudoers default): only a few variables survive, PATH becomes secure_path.
  const env = keepEnv ? baseEnv() : Object.fromEntries(Object.entries(baseEnv()).filter(([k]) => /^(PATH|TERM|LANG|LC_.*|HOME|USER|LOGNAME|DEMO_SYSROOT|SIM_.*|NODE_COMPILE_CACHE|COLUMNS|LINES)$/.test(k)))
  process.exit(run(command, { ...env, ...assignments, SIM_ROOT: '1', USER: 'root', LOGNAME: 'root' }))
}

function recordRejection(reason: string): void {
  withWorld(dir, (world) => void world.rejections.push({ host: hostId, cmd: name, argv, reason }))
}

function timeout(): void {
  const args = [...argv]
  while (args[0]?.startsWith('-')) args.splice(0, args[0] === '-s' || args[0] === '-k' ? 2 : 1)
  const seconds = parseDuration(args[0] ?? '')
  if (Number.isNaN(seconds)) {
    process.stderr.write(`timeout: invalid time interval '${args[0]}'\n`)
    process.exit(125)
  }
  const deadline = readWorld(dir).now + seconds
  const code = run(args.slice(1), { ...baseEnv(), SIM_DEADLINE: String(deadline) })
  process.exit(readWorld(dir).now >= deadline - 1e-9 ? 124 : code)
}

/** ssh [-o K=V] [-t|-T] [-p PORT] [user@]host [command…]: runs the command with bash on that machine. */
function ssh(copy: boolean): void {
  const options: Record<string, string> = {}
  const rest: string[] = []
  let tty = false
  let quiet = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (rest.length && !copy) {
      rest.push(a)
      continue
    }
    if (a === '-o') {
      const [k, v] = argv[++i].split('=')
      options[k] = v
    } else if (a === '-t' || a === '-tt') tty = true
    else if (a === '-T' || a === '-n') { /* no tty, no stdin */ } else if (a === '-q') quiet = true
    else if (a === '-p' || a === '-P' || a === '-i') i++
    else if (a.startsWith('-')) {
      recordRejection(`${name}: unknown option ${a}`)
      process.stderr.write(`${name}: unknown option -- ${a.replace(/^-+/, '')}\n`)
      process.exit(copy ? 1 : 255)
    } else rest.push(a)
  }
  const fail = (message: string, code = 255): never => {
    process.stderr.write(`${message}\n`)
    process.exit(code)
  }
  const target = (copy ? rest.find((r) => /^[^/]*:/.test(r)) : rest[0]) ?? ''
  if (!target) fail(copy ? 'usage: scp [-q] [-o ssh_option] source target' : 'usage: ssh [-t] [-o option] destination [command]', copy ? 1 : 255)
  const destination = copy ? target.slice(0, target.indexOf(':')) : target
  const hostName = destination.includes('@') ? destination.slice(destination.indexOf('@') + 1) : destination
  const connectTimeout = Number(options.ConnectTimeout ?? 130)
  const plan = withWorld(dir, (world) => {
    const from = world.hosts[hostId]
    const ip = resolveName(world, from, hostName)
    if (!ip) return { error: `ssh: Could not resolve hostname ${hostName}: Name or service not known` }
    const remote = Object.values(world.hosts).find((h) => h.lan.ip === ip || world.tailnet.devices.some((d) => d.ip === ip && d.host === h.id))
    const endpoint = connect(world, from, ip, 22)
    const sshd = remote && (remote.programs.includes('sshd') || remote.tailscale.prefs['--ssh'] === 'true')
    if (!remote || endpoint.kind === 'dropped' || (!sshd && endpoint.kind === 'refused')) {
      if (!remote || endpoint.kind === 'dropped') {
        world.now += Math.min(connectTimeout, 130)
        return { error: `ssh: connect to host ${hostName} port 22: Connection timed out` }
      }
    }
    if (!sshd) return { error: `ssh: connect to host ${hostName} port 22: Connection refused` }
    const knownHosts = join(process.env.HOME ?? '', '.ssh/known_hosts')
    const known = existsSync(knownHosts) && readFileSync(knownHosts, 'utf8').split('\n').some((l) => l.split(' ')[0].split(',').includes(hostName))
    if (!known && remote.tailscale.prefs['--ssh'] !== 'true' && options.StrictHostKeyChecking !== 'accept-new' && options.StrictHostKeyChecking !== 'no') {
      return { error: options.BatchMode === 'yes' || !process.stdin.isTTY ? 'Host key verification failed.' : `The authenticity of host '${hostName} (${ip})' can't be established.\nHost key verification failed.` }
    }
    const authorized = remote.tailscale.prefs['--ssh'] === 'true' || (existsSync(join(process.env.HOME ?? '', '.ssh/id_ed25519')) && (remote as unknown as { sshAuthorized?: string[] }).sshAuthorized?.includes(hostId))
    if (!authorized) return { error: `${destination.includes('@') ? destination : `droid@${hostName}`}: Permission denied (publickey,password).` }
    return { remote: remote.id, error: undefined }
  })
  if (plan.error !== undefined) fail(plan.error)
  const remote = plan.remote!
  const env = hostEnv(dir, remote, { SIM_NODE: process.env.SIM_NODE!, SIM_MAIN: process.env.SIM_MAIN!, ...(process.env.SIM_KILL_GROUP ? { SIM_KILL_GROUP: process.env.SIM_KILL_GROUP } : {}), ...(process.env.TERM && tty ? { TERM: process.env.TERM } : {}) })
  if (!copy) {
    if (tty && !process.stdin.isTTY && !quiet) process.stderr.write('Pseudo-terminal will not be allocated because stdin is not a terminal.\n')
    const command = rest.slice(1).join(' ')
    process.exit(run(command ? ['bash', '-c', command] : ['bash', '-l'], env, homeOf(dir, remote)))
  }
  // scp REMOTE:PATH LOCAL (the direction the scripts use)
  const [source, dest] = rest
  if (source !== target || !dest) fail('phone-sim: scp models copying from the phone only (scp host:path local)', 64)
  const remotePath = source.slice(source.indexOf(':') + 1)
  const file = remotePath.startsWith('/') ? join(sysroot(dir, remote), remotePath) : join(homeOf(dir, remote), remotePath)
  if (!existsSync(file)) fail(`scp: ${remotePath}: No such file or directory`, 1)
  const readable = withWorld(dir, (world) => mayRead({ ...makeCtx(dir, world, remote, 'scp', [], [], []), root: false }, file))
  if (!readable) fail(`scp: ${remotePath}: Permission denied`, 1)
  copyFileSync(file, resolve(process.cwd(), dest))
}

switch (name) {
  case 'sudo': sudo(); break
  case 'timeout': timeout(); break
  case 'ssh': ssh(false); break
  case 'scp': ssh(true); break
  default: runInWorld()
}
