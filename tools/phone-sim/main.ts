/**
 * A simulated program in a Node process of its own: `sim NAME ARGS…` (through bin/sim, when the sim's
 * resident process isn't listening, and always for socat and `kubectl get --watch`, which keep
 * running until they are killed). What the program does is programs.ts.
 */
import type { WatchRequest } from './kubectl.ts'
import type { Outcome, ProgramCall } from './programs.ts'
import type { KObject, World } from './world.ts'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import process from 'node:process'
import { view } from './kubectl.ts'
import { recordCall, runProgram, timeoutStatus } from './programs.ts'
import { readWorld } from './world.ts'

const [name, ...argv] = process.argv.slice(2)
let stdin: string | undefined
const call: ProgramCall = {
  dir: process.env.SIM_DIR!,
  host: process.env.SIM_HOST!,
  name,
  argv,
  env: Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<string, string>,
  cwd: process.cwd(),
  stdinIsTty: !!process.stdin.isTTY,
  stdin() {
    if (stdin === undefined) {
      try {
        stdin = readFileSync(0, 'utf8')
      }
      catch {
        stdin = ''
      }
    }
    return stdin
  },
}

/** Kills the run this program belongs to: it would never return on a phone. */
function endRun(): never {
  const stat = readFileSync('/proc/self/stat', 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const pgrp = Number(fields[2])
  const session = Number(fields[3])
  if (process.env.SIM_KILL_GROUP === '1' && pgrp === session && pgrp > 1)
    process.kill(-pgrp, 'SIGKILL')
  process.exit(124)
}

/** Runs a program to its end with this process's stdio; its exit code. */
function run(command: string[], env: Record<string, string>, cwd: string): number {
  const r = spawnSync(command[0], command.slice(1), { env, cwd, stdio: 'inherit' })
  if (r.error) {
    process.stderr.write(`${command[0]}: command not found\n`)
    return 127
  }
  return r.status ?? 128 + 9
}

/** kubectl get KIND --watch --output-watch-events -o json: ADDED for what exists, then every change, until killed. */
function watchLoop(w: WatchRequest): void {
  const seen = new Map<string, string>()
  const key = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`
  const emit = (type: string, o: KObject) => process.stdout.write(`${JSON.stringify({ type, object: view(o) }, null, 4)}\n`)
  const poll = () => {
    const world: World = readWorld(call.dir)
    const objs = (world.cluster?.objects ?? []).filter(o => o.kind === w.kind && (w.allNs || (o.metadata.namespace ?? 'default') === w.ns))
    const now = new Set<string>()
    for (const o of objs) {
      now.add(key(o))
      const before = seen.get(key(o))
      if (before === undefined)
        emit('ADDED', o)
      else if (before !== o.metadata.resourceVersion)
        emit('MODIFIED', o)
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

function perform(outcome: Outcome): void {
  switch (outcome.kind) {
    case 'exit':
      process.stdout.write(outcome.stdout)
      process.stderr.write(outcome.stderr)
      if (outcome.hung)
        endRun()
      process.exitCode = outcome.code
      return
    case 'exec':
      if (outcome.stderr)
        process.stderr.write(outcome.stderr)
      process.exit(run(outcome.command, outcome.env, outcome.cwd))
      break
    case 'timeout':
      process.exit(timeoutStatus(call.dir, outcome.deadline, run(outcome.command, outcome.env, call.cwd)))
      break
    case 'watch':
      watchLoop(outcome.request)
      return
    case 'stay':
      process.on('SIGTERM', () => process.exit(143))
      setInterval(() => {}, 1 << 30)
  }
}

recordCall(call)
perform(runProgram(call))
