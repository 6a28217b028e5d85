/**
 * Where a simulated machine lives on disk and what a program run there sees: its PATH (the
 * programs installed on it, then a fixed set of basic tools), HOME, sysroot, and the SIM_*
 * variables the simulated programs read.
 */
import type { World } from './world.ts'
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

export const SIM_ROOT = dirname(fileURLToPath(import.meta.url))
export const REPO_ROOT = resolve(SIM_ROOT, '../..')
export const LAUNCHER = join(SIM_ROOT, 'bin/sim')

/** Programs the simulation answers for (everything else on a phone is a real tool or missing). */
export const SIMULATED = new Set([
  'kubectl',
  'k3s',
  'crictl',
  'ctr',
  'k3s-killall.sh',
  'k3s-uninstall.sh',
  'k3s-agent-uninstall.sh',
  'tailscale',
  'tailscaled',
  'curl',
  'systemctl',
  'journalctl',
  'sudo',
  'id',
  'hostname',
  'uname',
  'ss',
  'ip',
  'ping',
  'socat',
  'sleep',
  'timeout',
  'df',
  'timedatectl',
  'ssh',
  'scp',
])

/** Real programs a test may install on a machine (found on this computer). */
const REAL = ['jq', 'asciinema', 'nohup', 'git']

/** Basic tools every machine has (coreutils and friends), real ones. */
export const BASIC_TOOLS = [
  'bash',
  'sh',
  'env',
  'cat',
  'sed',
  'grep',
  'awk',
  'sort',
  'uniq',
  'tr',
  'cut',
  'head',
  'tail',
  'wc',
  'mkdir',
  'rm',
  'cp',
  'mv',
  'ln',
  'install',
  'chmod',
  'chown',
  'stat',
  'dirname',
  'basename',
  'seq',
  'tee',
  'test',
  'touch',
  'ls',
  'readlink',
  'realpath',
  'mktemp',
  'date',
  'printf',
  'true',
  'false',
  'xargs',
  'cmp',
  'diff',
  'tput',
  'kill',
  'nohup',
  'gzip',
  'zcat',
  'od',
  'base64',
  'fold',
  'comm',
  'paste',
  'expr',
  'nproc',
  'mkfifo',
]

export function findTool(name: string): string | undefined {
  for (const d of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    if (existsSync(join(d, name)))
      return join(d, name)
  }
  return undefined
}

export const hostDir = (dir: string, host: string) => join(dir, 'hosts', host)
export const sysroot = (dir: string, host: string) => join(hostDir(dir, host), 'root')
export const homeOf = (dir: string, host: string) => join(hostDir(dir, host), 'home')

/** Makes bin/ of every machine hold exactly the programs installed on it. */
export function syncPrograms(dir: string, world: World): void {
  for (const host of Object.values(world.hosts)) {
    const bin = join(hostDir(dir, host.id), 'bin')
    mkdirSync(bin, { recursive: true })
    const want = new Set(host.programs.filter(p => SIMULATED.has(p) || REAL.includes(p)))
    for (const name of readdirSync(bin)) {
      if (!want.has(name))
        rmSync(join(bin, name), { force: true })
    }
    for (const name of want) {
      const link = join(bin, name)
      try {
        lstatSync(link)
        continue
      }
      catch { /* missing */ }
      const target = SIMULATED.has(name) ? LAUNCHER : findTool(name)
      if (target)
        symlinkSync(target, link)
    }
  }
}

/** The real socat, which bin/sim talks to the sim's resident process with (without it, every call starts Node). */
const SOCAT = findTool('socat') ?? ''

/** The environment of a program run on a machine. */
export function hostEnv(dir: string, host: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${join(hostDir(dir, host), 'bin')}:${join(dir, 'tools')}`,
    HOME: homeOf(dir, host),
    USER: 'droid',
    LOGNAME: 'droid',
    LANG: 'C.UTF-8',
    DEMO_SYSROOT: sysroot(dir, host),
    SIM_DIR: dir,
    SIM_HOST: host,
    SIM_LAUNCHER: LAUNCHER,
    SIM_NODE: process.execPath,
    SIM_MAIN: join(SIM_ROOT, 'main.ts'),
    SIM_REPO: REPO_ROOT,
    SIM_SOCKET: join(dir, 'sim.sock'),
    SIM_SOCAT: SOCAT,
    NODE_COMPILE_CACHE: join(dir, '..', 'phone-sim-compile-cache'),
    ...extra,
  }
}
