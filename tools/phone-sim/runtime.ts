/**
 * What every simulated program gets: the world, the host it runs on, its arguments, and ways to
 * print, to let simulated time pass, to refuse a call it doesn't know, and to block forever.
 */
import type { Host, World } from './world.ts'
import { join } from 'node:path'
import { reconcile } from './cluster.ts'
import { tickHosts } from './hosts.ts'
import { tickK3s } from './k3s.ts'
import { traceTick } from './trace.ts'

/** Thrown to end a program with an exit code (after its output is written). */
export class Exit {
  code: number
  constructor(code: number) {
    this.code = code
  }
}

/** Thrown by hang(): the program would never return on a phone. */
export class Hang {
  what: string
  constructor(what: string) {
    this.what = what
  }
}

export interface Ctx {
  dir: string
  world: World
  host: Host
  cmd: string
  argv: string[]
  env: NodeJS.ProcessEnv
  cwd: string
  /** the user the program runs as: root under sudo */
  root: boolean
  /** DEMO_SYSROOT of this host: where its /etc, /var, /dev, /sys live */
  sysroot: string
  out: (text: string) => void
  err: (text: string) => void
  /** stdin, read once */
  stdin: () => string
  /** lets simulated time pass (reconciling the world each second); false when a `timeout` deadline cut it short */
  advance: (seconds: number) => boolean
  /** a call the real program rejects as unknown: recorded (tests fail on it), message printed, exit code */
  reject: (message: string, code: number) => never
  /** the real program would block here forever */
  hang: (what: string) => never
  fail: (message: string, code?: number) => never
}

/** Where a program runs: its environment, working directory and stdin (read once). */
export interface Io {
  env: NodeJS.ProcessEnv
  cwd: string
  stdin: () => string
}

export function makeCtx(dir: string, world: World, hostId: string, cmd: string, argv: string[], out: string[], err: string[], io: Io): Ctx {
  const host = world.hosts[hostId]
  if (!host)
    throw new Error(`phone-sim: unknown host ${hostId}`)
  const deadline = io.env.SIM_DEADLINE ? Number(io.env.SIM_DEADLINE) : Infinity
  const ctx: Ctx = {
    dir,
    world,
    host,
    cmd,
    argv,
    env: io.env,
    cwd: io.cwd,
    root: io.env.SIM_ROOT === '1',
    sysroot: join(dir, 'hosts', hostId, 'root'),
    out: text => out.push(text),
    err: text => err.push(text),
    stdin: () => io.stdin(),
    advance(seconds) {
      const target = Math.min(world.now + seconds, deadline)
      while (world.now < target - 1e-9) {
        const step = Math.min(1, target - world.now)
        world.now = Math.round((world.now + step) * 1000) / 1000
        tickHosts(world)
        tickK3s(world)
        reconcile(world)
        traceTick(world)
      }
      return target < deadline || seconds <= 0
    },
    reject(message, code) {
      world.rejections.push({ host: hostId, cmd, argv, reason: message.split('\n')[0] })
      err.push(message.endsWith('\n') ? message : `${message}\n`)
      throw new Exit(code)
    },
    hang(what) {
      if (deadline !== Infinity) {
        ctx.advance(deadline - world.now)
        throw new Exit(124)
      }
      throw new Hang(what)
    },
    fail(message, code = 1) {
      err.push(message.endsWith('\n') ? message : `${message}\n`)
      throw new Exit(code)
    },
  }
  return ctx
}

/** A minimal getopt for the simulated programs: known flags with or without values; anything else is rejected. */
export interface FlagSpec {
  /** flags that take a value: "--timeout", "-o" */
  withValue?: string[]
  /** flags without a value */
  boolean?: string[]
  /** flags that may repeat (values collected) */
  repeat?: string[]
}

export interface Parsed {
  flags: Record<string, string[]>
  positional: string[]
}

/**
 * Parses GNU-style arguments: `--flag value`, `--flag=value`, `-f value`, `-fvalue` for value flags,
 * bundled short booleans (`-sfL`). `onUnknown(flag)` is called for a flag that isn't in the spec.
 */
export function parseFlags(argv: string[], spec: FlagSpec, onUnknown: (flag: string) => never, opts: { stopAtPositional?: boolean } = {}): Parsed {
  const withValue = new Set(spec.withValue ?? [])
  const boolean = new Set(spec.boolean ?? [])
  const flags: Record<string, string[]> = {}
  const positional: string[] = []
  const add = (flag: string, value: string) => (flags[flag] ??= []).push(value)
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') {
      positional.push(...argv.slice(i + 1))
      break
    }
    if (opts.stopAtPositional && positional.length > 0) {
      positional.push(a)
      continue
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=')
      const name = eq > 0 ? a.slice(0, eq) : a
      if (withValue.has(name)) {
        if (eq > 0)
          add(name, a.slice(eq + 1))
        else if (i + 1 < argv.length)
          add(name, argv[++i])
        else onUnknown(`${name} (needs a value)`)
      }
      else if (boolean.has(name)) {
        add(name, eq > 0 ? a.slice(eq + 1) : 'true')
      }
      else {
        onUnknown(name)
      }
    }
    else if (a.startsWith('-') && a.length > 1 && (!/^-\d/.test(a) || boolean.has(a) || withValue.has(a))) {
      for (let j = 1; j < a.length; j++) {
        const name = `-${a[j]}`
        if (withValue.has(name)) {
          const rest = a.slice(j + 1)
          if (rest)
            add(name, rest.startsWith('=') ? rest.slice(1) : rest)
          else if (i + 1 < argv.length)
            add(name, argv[++i])
          else onUnknown(`${name} (needs a value)`)
          break
        }
        else if (boolean.has(name)) {
          add(name, 'true')
        }
        else {
          onUnknown(name)
        }
      }
    }
    else {
      positional.push(a)
    }
  }
  return { flags, positional }
}

export const has = (p: Parsed, ...names: string[]) => names.some(n => p.flags[n] !== undefined)
export function value(p: Parsed, ...names: string[]): string | undefined {
  for (const n of names) {
    if (p.flags[n])
      return p.flags[n].at(-1)
  }
  return undefined
}

/** "120s", "2m", "1h30m", "5" (seconds) → seconds; NaN when not a duration. */
export function parseDuration(text: string): number {
  if (/^\d+(?:\.\d+)?$/.test(text))
    return Number(text)
  const re = /(\d+(?:\.\d+)?)(ms|[smh])/g
  let total = 0
  let matched = ''
  for (const m of text.matchAll(re)) {
    matched += m[0]
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h']
  }
  return matched === text && text !== '' ? total : NaN
}
