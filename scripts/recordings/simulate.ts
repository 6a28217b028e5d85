/**
 * Makes one simulated recording: a fresh simulated world (tools/phone-sim), the plan's scene set
 * up with the real scripts, then each step run by bash in a pseudo-terminal of the phone's size — the
 * colours, progress lines and wrapping a phone shows — while the simulated cluster is traced second by
 * second. Returns the texts of the cast and of the ClusterView recording; writes nothing.
 */
import type { Sim } from '../../tools/phone-sim/index.ts'
import type { RecordingPlan, Step } from './plan.ts'
import type { OutputMark, Snapshot } from './timeline.ts'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSim, REPO_ROOT } from '../../tools/phone-sim/index.ts'
import { PHONE_COLS, PHONE_ROWS, shownCommand } from './plan.ts'
import { castText, clusterChanges, clusterText, MAX_GAP_SECONDS, shorten } from './timeline.ts'

export const HOW = `npm run recordings: the script run by bash in a pseudo-terminal of the simulated phones and cluster `
  + `(tools/phone-sim), the programs it calls simulated as documented; waits over ${MAX_GAP_SECONDS} s shortened`

/** The phone's own paths for the simulation's: its home is /home/droid, the clone is in it. */
function phonePaths(sim: Sim, text: string): string {
  let out = text
  for (const host of ['phone-a', 'phone-b', 'laptop']) {
    out = out.replaceAll(sim.path(host, '~/').replace(/\/$/, ''), '/home/droid')
    out = out.replaceAll(`${sim.path(host, '/')}`.replace(/\/+$/, ''), '')
  }
  out = out.replaceAll(REPO_ROOT, '/home/droid/k3s-on-phone-demo')
  if (out.includes(sim.dir))
    throw new Error(`a simulation path is left in the output: ${out.slice(out.indexOf(sim.dir) - 40, out.indexOf(sim.dir) + 80)}`)
  return out
}

const clonePath = (sim: Sim, host: string, script: string) => join(sim.path(host, '~/k3s-on-phone-demo'), script)

function expandEnv(sim: Sim, host: string, env: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.startsWith('~/') ? sim.path(host, v) : v]))
}

function runQuietly(sim: Sim, step: Step): void {
  const r = step.script
    ? sim.run(step.host, clonePath(sim, step.host, step.script), step.args ?? [], { env: expandEnv(sim, step.host, step.env) })
    : sim.sh(step.host, typeof step.command === 'function' ? step.command(sim) : step.command ?? '')
  if (r.code !== 0)
    throw new Error(`scene: ${shownCommand(step)} on ${step.host} failed (${r.code}):\n${r.output}`)
}

export interface Made {
  cast: string
  cluster?: string
  /** Simulated seconds the recorded steps took, and the recording's length after shortening */
  simulatedSeconds: number
  shownSeconds: number
}

export async function simulate(plan: RecordingPlan): Promise<Made> {
  const sim = createSim()
  const work = mkdtempSync(join(tmpdir(), 'recording-'))
  try {
    for (const [host, ...steps] of plan.scene.setup ?? []) sim.setup(host, ...steps)
    for (const [host, program] of plan.scene.install ?? []) sim.update(world => void world.hosts[host].programs.push(program))
    for (const [host, file, content, mode] of plan.scene.files ?? []) sim.write(host, file, content, mode)
    for (const step of plan.scene.before ?? []) runQuietly(sim, step)
    if (plan.scene.wait)
      sim.wait(plan.scene.wait)

    const trace = join(work, 'trace.jsonl')
    writeFileSync(trace, '')
    const start = sim.world().now
    const output: OutputMark[] = []
    const snapshots: Snapshot[] = []
    const snapshot = () => {
      const world = sim.world()
      snapshots.push({ at: world.now, objects: (world.cluster?.objects ?? []).filter(o => o.kind === 'Pod' || o.kind === 'Node') as never })
    }
    const print = (data: string) => output.push({ at: sim.world().now, data })
    const shown: string[] = []
    snapshot()
    for (const step of plan.steps) {
      const command = typeof step.command === 'function' ? step.command(sim) : step.command
      shown.push(shownCommand(step, command))
      print(`\x1B[34m$\x1B[0m ${shown.at(-1)}\r\n`)
      let file: string
      if (step.script) {
        file = clonePath(sim, step.host, step.script)
      }
      else {
        file = join(work, `step-${output.length}.sh`)
        writeFileSync(file, `set -euo pipefail\n${command}\n`)
      }
      const r = await sim.runTty(step.host, file, step.script ? step.args ?? [] : [], {
        env: { ...expandEnv(sim, step.host, step.env), SIM_TRACE: trace, TERM: 'xterm-256color' },
        cols: plan.cols ?? PHONE_COLS,
        rows: plan.rows ?? PHONE_ROWS,
        onData: print,
      })
      if (r.hung)
        throw new Error(`${shownCommand(step, command)} on ${step.host} would hang on a phone: ${r.hung}`)
      for (const line of readFileSync(trace, 'utf8').split('\n').filter(Boolean)) snapshots.push(JSON.parse(line) as Snapshot & { now?: number })
      writeFileSync(trace, '')
      snapshot()
    }
    for (const s of snapshots as (Snapshot & { now?: number })[]) s.at ??= s.now!
    snapshots.sort((a, b) => a.at - b.at)
    const end = sim.world().now
    const changes = clusterChanges(snapshots)
    const times = shorten(start, output, changes)
    const hosts = [...new Set(plan.steps.map(step => step.host))]
    const title = `${plan.name}: ${shown.join('; ')} (simulated, on ${hosts.join(', ')})`
    const header = { simulated: true, host: hosts.join(', '), made: HOW }
    const cast = castText(
      { version: 2, width: plan.cols ?? PHONE_COLS, height: plan.rows ?? PHONE_ROWS, title, env: { TERM: 'xterm-256color', SHELL: '/bin/bash' }, ...header },
      times.output,
      output.map(mark => ({ ...mark, data: phonePaths(sim, mark.data) })),
    )
    const cluster = plan.cluster ? clusterText({ version: 1, kind: 'cluster-events', title, ...header }, times.changes, changes) : undefined
    return { cast, cluster, simulatedSeconds: Math.round((end - start) * 10) / 10, shownSeconds: times.output.at(-1) ?? 0 }
  }
  finally {
    sim.cleanup()
    rmSync(work, { recursive: true, force: true })
  }
}
