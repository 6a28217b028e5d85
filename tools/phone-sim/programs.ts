/**
 * What a simulated program does with one call, apart from how the call reaches it: bin/sim hands it
 * to the sim's resident process (server.ts) or, without one, to a Node process of its own (main.ts).
 * Programs that only change the world run under its lock and end with their output; sudo, timeout,
 * ssh and scp end in a program to run next (outside the lock); socat and `kubectl get --watch` keep
 * running until they are killed, which only a process of their own can do.
 */
import type { Io } from './runtime.ts'
import { appendFileSync, copyFileSync, existsSync, readFileSync, statSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { curl } from './curl.ts'
import { resolveName } from './hosts.ts'
import { installer, k3sBinary, uninstall } from './k3s.ts'
import { kubectl, mayRead, WatchRequest } from './kubectl.ts'
import { homeOf, hostEnv, syncPrograms, sysroot } from './layout.ts'
import { connect } from './network.ts'
import { Exit, Hang, makeCtx, parseDuration } from './runtime.ts'
import { df, hostname, id, ip, journalctl, ping, sleep, socat, ss, systemctl, timedatectl, uname } from './system.ts'
import { tailscale, tailscaleInstaller } from './tailscale.ts'
import { readWorld, withWorld } from './world.ts'

/** One call of a simulated program: who called it, where, with what. */
export interface ProgramCall extends Io {
  dir: string
  host: string
  name: string
  argv: string[]
  stdinIsTty: boolean
}

export type Outcome
  /** the program ended: its output and exit code; hung: it would block forever here (the run ends) */
  = | { kind: 'exit', code: number, stdout: string, stderr: string, hung?: string }
  /** run this program next, in place of the caller (sudo, ssh): the path found on env.PATH; stderr: written before */
    | { kind: 'exec', command: string[], env: Record<string, string>, cwd: string, stderr?: string }
  /** timeout: run this program, then ask timeoutStatus() for the exit code */
    | { kind: 'timeout', command: string[], env: Record<string, string>, deadline: number }
  /** socat listening: the program stays until it is killed */
    | { kind: 'stay' }
    | { kind: 'watch', request: WatchRequest }

const TOOLS: Record<string, (ctx: ReturnType<typeof makeCtx>) => unknown> = {
  kubectl,
  'k3s': k3sBinary,
  curl,
  tailscale,
  systemctl,
  journalctl,
  id,
  hostname,
  uname,
  ss,
  ip,
  ping,
  sleep,
  df,
  timedatectl,
  socat,
  'crictl': (ctx) => {
    ctx.argv = ['crictl', ...ctx.argv]
    return k3sBinary(ctx)
  },
  'k3s-installer': installer,
  'tailscale-installer': tailscaleInstaller,
  'k3s-uninstall.sh': uninstall,
  'k3s-agent-uninstall.sh': uninstall,
  'k3s-killall.sh': (ctx) => {
    if (ctx.host.k3s)
      ctx.host.k3s.unit.state = 'inactive'
  },
  'tailscaled': ctx => ctx.reject('phone-sim: run tailscaled through systemctl', 64),
}

/** Environment variables a call records (sim.calls()). */
const RECORDED_ENV = ['K3S_TOKEN', 'K3S_URL', 'INSTALL_K3S_VERSION', 'INSTALL_K3S_SKIP_START', 'INSTALL_K3S_EXEC', 'KUBECONFIG', 'SIM_ROOT']

export function recordCall(call: ProgramCall): void {
  const env = Object.fromEntries(RECORDED_ENV.filter(k => call.env[k] !== undefined).map(k => [k, call.env[k]!]))
  appendFileSync(join(call.dir, 'calls.jsonl'), `${JSON.stringify({ host: call.host, cmd: call.name, argv: call.argv, env })}\n`)
}

/** Thrown out of the world's lock (nothing saved) when a call must be handled by a process of its own. */
export class NeedsOwnProcess {
  outcome: Outcome
  constructor(outcome: Outcome) {
    this.outcome = outcome
  }
}

/** Thrown by a resident process's stdin() before it has the caller's stdin: the call starts over with it. */
export class NeedsStdin {}

/**
 * Runs one call. `resident`: in the sim's resident process, where a watch must not change the world
 * (its own process runs it again) and a program that reads stdin before it has it starts over.
 */
export function runProgram(call: ProgramCall, resident = false): Outcome {
  switch (call.name) {
    case 'sudo': return sudo(call)
    case 'timeout': return timeout(call)
    case 'ssh': return ssh(call, false)
    case 'scp': return ssh(call, true)
    default: return runInWorld(call, resident)
  }
}

function runInWorld(call: ProgramCall, resident: boolean): Outcome {
  const { dir, host, name, argv } = call
  const out: string[] = []
  const err: string[] = []
  let code = 0
  let hung: string | undefined
  let watch: WatchRequest | null = null
  let stayAlive = false
  withWorld(dir, (world) => {
    const ctx = makeCtx(dir, world, host, name, argv, out, err, call)
    const tool = TOOLS[name]
    try {
      if (!tool)
        ctx.reject(`phone-sim: no program ${name}`, 127)
      const result = tool(ctx)
      if (name === 'socat' && typeof result === 'number')
        stayAlive = true
    }
    catch (e) {
      if (e instanceof Exit) {
        code = e.code
      }
      else if (e instanceof Hang) {
        hung = e.what
        world.hung = { host, cmd: name, argv, at: world.now, what: e.what }
      }
      else if (e instanceof WatchRequest) {
        if (resident)
          throw new NeedsOwnProcess({ kind: 'watch', request: e })
        watch = e
      }
      else if (e instanceof NeedsOwnProcess || e instanceof NeedsStdin) {
        throw e
      }
      else {
        err.push(`[phone-sim] ${name} crashed: ${(e as Error).stack}\n`)
        world.rejections.push({ host, cmd: name, argv, reason: `crash: ${(e as Error).message}` })
        code = 70
      }
    }
    syncPrograms(dir, world)
  })
  if (watch)
    return { kind: 'watch', request: watch }
  if (stayAlive)
    return { kind: 'stay' }
  if (hung)
    err.push(`\n[phone-sim] this would block forever on a phone: ${hung}\n`)
  return { kind: 'exit', code: hung ? 124 : code, stdout: out.join(''), stderr: err.join(''), hung }
}

const exit = (code: number, stderr = ''): Outcome => ({ kind: 'exit', code, stdout: '', stderr })

/** Where `command` is found on `path` (as execvp looks), or null. */
function findOnPath(command: string, path: string, cwd: string): string | null {
  const executable = (p: string) => {
    try {
      return statSync(p).isFile() && (statSync(p).mode & 0o111) !== 0
    }
    catch {
      return false
    }
  }
  if (command.includes('/'))
    return executable(resolve(cwd, command)) ? command : null
  for (const d of path.split(delimiter)) {
    if (d && executable(join(d, command)))
      return join(d, command)
  }
  return null
}

/** The program to run next; `command not found` (127) when there is none. */
function execOutcome(command: string[], env: Record<string, string>, cwd: string): Outcome {
  const found = findOnPath(command[0], env.PATH ?? '', cwd)
  if (!found)
    return exit(127, `${command[0]}: command not found\n`)
  return { kind: 'exec', command: [found, ...command.slice(1)], env, cwd }
}

function recordRejection(call: ProgramCall, reason: string): void {
  withWorld(call.dir, world => void world.rejections.push({ host: call.host, cmd: call.name, argv: call.argv, reason }))
}

function sudo(call: ProgramCall): Outcome {
  const { argv, dir } = call
  let i = 0
  const assignments: Record<string, string> = {}
  let keepEnv = false
  while (i < argv.length) {
    const a = argv[i]
    if (a === '-n' || a === '-H') {
      i++
    }
    else if (a === '-E' || a === '--preserve-env') {
      keepEnv = true
      i++
    }
    else if (a === '-u' && argv[i + 1] === 'root') {
      i += 2
    }
    else if (/^[A-Z_]\w*=/i.test(a)) {
      assignments[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1)
      i++
    }
    else if (a.startsWith('-')) {
      recordRejection(call, `sudo: invalid option '${a}'`)
      return exit(1, `sudo: invalid option -- '${a.replace(/^-+/, '')}'\n`)
    }
    else {
      break
    }
  }
  const command = argv.slice(i)
  if (!command.length)
    return exit(1, 'usage: sudo -h | -K | -k | -V\n')
  // Absolute paths must stay inside the simulation: a script that forgot DEMO_SYSROOT fails its test.
  for (const a of command) {
    const p = a.slice(a.indexOf('=') + 1).replace(/^file:/, '')
    if (p.startsWith('/') && p !== '/dev/null' && !p.startsWith(dir) && !p.startsWith(call.env.SIM_REPO!)) {
      recordRejection(call, `sudo: refusing ${a} (outside the simulated machine)`)
      return exit(97, `[phone-sim] sudo: refusing ${a}: outside the simulated machine (a path without DEMO_SYSROOT?)\n`)
    }
  }
  // env_reset (sudoers default): only a few variables survive, PATH becomes secure_path.
  const env = keepEnv ? call.env : Object.fromEntries(Object.entries(call.env).filter(([k]) => /^(?:PATH|TERM|LANG|LC_.*|HOME|USER|LOGNAME|DEMO_SYSROOT|SIM_.*|NODE_COMPILE_CACHE|COLUMNS|LINES)$/.test(k)))
  return execOutcome(command, { ...env, ...assignments, SIM_ROOT: '1', USER: 'root', LOGNAME: 'root' }, call.cwd)
}

function timeout(call: ProgramCall): Outcome {
  const args = [...call.argv]
  while (args[0]?.startsWith('-')) args.splice(0, args[0] === '-s' || args[0] === '-k' ? 2 : 1)
  const seconds = parseDuration(args[0] ?? '')
  if (Number.isNaN(seconds))
    return exit(125, `timeout: invalid time interval '${args[0]}'\n`)
  const deadline = readWorld(call.dir).now + seconds
  const env = { ...call.env, SIM_DEADLINE: String(deadline) }
  const next = execOutcome(args.slice(1), env, call.cwd)
  return next.kind === 'exec' ? { kind: 'timeout', command: next.command, env, deadline } : next
}

/** timeout's exit code once its program ended with `code`: 124 when the deadline passed. */
export function timeoutStatus(dir: string, deadline: number, code: number): number {
  return readWorld(dir).now >= deadline - 1e-9 ? 124 : code
}

/** ssh [-o K=V] [-t|-T] [-p PORT] [user@]host [command…]: runs the command with bash on that machine. */
function ssh(call: ProgramCall, copy: boolean): Outcome {
  const { argv, dir, name, env: callEnv } = call
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
    }
    else if (a === '-t' || a === '-tt') {
      tty = true
    }
    else if (a === '-T' || a === '-n') { /* no tty, no stdin */ }
    else if (a === '-q') {
      quiet = true
    }
    else if (a === '-p' || a === '-P' || a === '-i') {
      i++
    }
    else if (a.startsWith('-')) {
      recordRejection(call, `${name}: unknown option ${a}`)
      return exit(copy ? 1 : 255, `${name}: unknown option -- ${a.replace(/^-+/, '')}\n`)
    }
    else {
      rest.push(a)
    }
  }
  const target = (copy ? rest.find(r => /^[^/]*:/.test(r)) : rest[0]) ?? ''
  if (!target)
    return exit(copy ? 1 : 255, `${copy ? 'usage: scp [-q] [-o ssh_option] source target' : 'usage: ssh [-t] [-o option] destination [command]'}\n`)
  const destination = copy ? target.slice(0, target.indexOf(':')) : target
  const hostName = destination.includes('@') ? destination.slice(destination.indexOf('@') + 1) : destination
  const connectTimeout = Number(options.ConnectTimeout ?? 130)
  const plan = withWorld(dir, (world) => {
    const from = world.hosts[call.host]
    const ip = resolveName(world, from, hostName)
    if (!ip)
      return { error: `ssh: Could not resolve hostname ${hostName}: Name or service not known` }
    const remote = Object.values(world.hosts).find(h => h.lan.ip === ip || world.tailnet.devices.some(d => d.ip === ip && d.host === h.id))
    const endpoint = connect(world, from, ip, 22)
    const sshd = remote && (remote.programs.includes('sshd') || remote.tailscale.prefs['--ssh'] === 'true')
    if (!remote || endpoint.kind === 'dropped' || (!sshd && endpoint.kind === 'refused')) {
      if (!remote || endpoint.kind === 'dropped') {
        world.now += Math.min(connectTimeout, 130)
        return { error: `ssh: connect to host ${hostName} port 22: Connection timed out` }
      }
    }
    if (!sshd)
      return { error: `ssh: connect to host ${hostName} port 22: Connection refused` }
    const knownHosts = join(callEnv.HOME ?? '', '.ssh/known_hosts')
    const known = existsSync(knownHosts) && readFileSync(knownHosts, 'utf8').split('\n').some(l => l.split(' ')[0].split(',').includes(hostName))
    if (!known && remote.tailscale.prefs['--ssh'] !== 'true' && options.StrictHostKeyChecking !== 'accept-new' && options.StrictHostKeyChecking !== 'no') {
      return { error: options.BatchMode === 'yes' || !call.stdinIsTty ? 'Host key verification failed.' : `The authenticity of host '${hostName} (${ip})' can't be established.\nHost key verification failed.` }
    }
    const authorized = remote.tailscale.prefs['--ssh'] === 'true' || (existsSync(join(callEnv.HOME ?? '', '.ssh/id_ed25519')) && (remote as unknown as { sshAuthorized?: string[] }).sshAuthorized?.includes(call.host))
    if (!authorized)
      return { error: `${destination.includes('@') ? destination : `droid@${hostName}`}: Permission denied (publickey,password).` }
    return { remote: remote.id, error: undefined }
  })
  if (plan.error !== undefined)
    return exit(255, `${plan.error}\n`)
  const remote = plan.remote!
  const env = hostEnv(dir, remote, { SIM_NODE: callEnv.SIM_NODE!, SIM_MAIN: callEnv.SIM_MAIN!, ...(callEnv.SIM_KILL_GROUP ? { SIM_KILL_GROUP: callEnv.SIM_KILL_GROUP } : {}), ...(callEnv.TERM && tty ? { TERM: callEnv.TERM } : {}) })
  if (!copy) {
    const warning = tty && !call.stdinIsTty && !quiet ? 'Pseudo-terminal will not be allocated because stdin is not a terminal.\n' : ''
    const command = rest.slice(1).join(' ')
    const next = execOutcome(command ? ['bash', '-c', command] : ['bash', '-l'], env, homeOf(dir, remote))
    return next.kind === 'exec' && warning ? { ...next, stderr: warning } : next
  }
  // scp REMOTE:PATH LOCAL (the direction the scripts use)
  const [source, dest] = rest
  if (source !== target || !dest)
    return exit(64, 'phone-sim: scp models copying from the phone only (scp host:path local)\n')
  const remotePath = source.slice(source.indexOf(':') + 1)
  const file = remotePath.startsWith('/') ? join(sysroot(dir, remote), remotePath) : join(homeOf(dir, remote), remotePath)
  if (!existsSync(file))
    return exit(1, `scp: ${remotePath}: No such file or directory\n`)
  const readable = withWorld(dir, world => mayRead({ ...makeCtx(dir, world, remote, 'scp', [], [], [], call), root: false }, file))
  if (!readable)
    return exit(1, `scp: ${remotePath}: Permission denied\n`)
  copyFileSync(file, resolve(call.cwd, dest))
  return exit(0)
}
