/**
 * The pure half of the simulated recordings: what the simulated phones printed and how their cluster
 * changed, each stamped with simulated seconds, turned into an asciinema v2 cast and a ClusterView
 * recording (`*.cluster.jsonl`) on ONE shortened time line, so the terminal and the cluster view stay in
 * step when both play.
 */
import type { ClusterEvent } from '../../formats/cluster-events.ts'
import { slimEvent } from '../../formats/cluster-events.ts'

/** Longer waits than this (a rollout, an image pull) are shortened to it. */
export const MAX_GAP_SECONDS = 2
/** Output printed at the same simulated instant still appears line after line, this far apart. */
export const PACE_SECONDS = 0.04

/** A chunk of terminal output at a simulated time. */
export interface OutputMark { at: number, data: string }
/** The cluster's nodes and pods at a simulated time (raw objects as the API returns them). */
export interface Snapshot { at: number, objects: RawObject[] }
type RawObject = Parameters<typeof slimEvent>[0]['object']

const keyOf = (event: ClusterEvent) => `${event.kind}/${event.kind === 'Pod' ? `${event.namespace}/` : ''}${event.name}`

/** The nodes and pods of a snapshot, slimmed to what ClusterView draws, by key. */
function slimAll(snapshot: Snapshot): Map<string, ClusterEvent> {
  const out = new Map<string, ClusterEvent>()
  for (const object of snapshot.objects) {
    const event = slimEvent({ type: 'ADDED', object })
    if (event)
      out.set(keyOf(event), event)
  }
  return out
}

/**
 * Watch events from a series of snapshots (in time order): the first one's objects ADDED, then every
 * change between two snapshots as kubectl's watch reports it — ADDED, MODIFIED, DELETED.
 */
export function clusterChanges(snapshots: Snapshot[]): { at: number, event: ClusterEvent }[] {
  const changes: { at: number, event: ClusterEvent }[] = []
  let before = new Map<string, ClusterEvent>()
  for (const snapshot of snapshots) {
    const now = slimAll(snapshot)
    for (const [key, event] of now) {
      const old = before.get(key)
      if (!old)
        changes.push({ at: snapshot.at, event: { ...event, type: 'ADDED' } })
      else if (JSON.stringify({ ...old, type: '' }) !== JSON.stringify({ ...event, type: '' }))
        changes.push({ at: snapshot.at, event: { ...event, type: 'MODIFIED' } })
    }
    for (const [key, old] of before) {
      if (!now.has(key))
        changes.push({ at: snapshot.at, event: { ...old, type: 'DELETED' } })
    }
    before = now
  }
  return changes
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000

/**
 * One shortened time line for both: simulated seconds from `start`, every gap at most MAX_GAP_SECONDS,
 * output chunks at least PACE_SECONDS apart. Returns the recording's seconds for each output mark and
 * each cluster change, in their order.
 */
export function shorten(start: number, output: OutputMark[], changes: { at: number }[]): { output: number[], changes: number[] } {
  interface Item { at: number, kind: 'o' | 'c', index: number }
  const items: Item[] = [
    ...output.map((mark, index) => ({ at: mark.at, kind: 'o' as const, index })),
    ...changes.map((change, index) => ({ at: change.at, kind: 'c' as const, index })),
  ]
  // Stable: at the same instant, output keeps its order and comes before the changes it caused.
  items.sort((a, b) => a.at - b.at || (a.kind === b.kind ? a.index - b.index : a.kind === 'o' ? -1 : 1))
  const result = { output: Array.from<number>({ length: output.length }), changes: Array.from<number>({ length: changes.length }) }
  let simulated = start
  let shown = 0
  let anyOutput = false
  for (const item of items) {
    const gap = Math.max(0, item.at - simulated)
    shown += Math.min(gap, MAX_GAP_SECONDS)
    simulated = Math.max(simulated, item.at)
    if (item.kind === 'o') {
      if (anyOutput)
        shown += PACE_SECONDS
      anyOutput = true
      result.output[item.index] = round(shown)
    }
    else {
      result.changes[item.index] = item.at <= start ? 0 : round(shown)
    }
  }
  return result
}

/** The asciinema v2 text: the header line, then one [seconds, "o", data] line per chunk. */
export function castText(header: Record<string, unknown>, times: number[], output: OutputMark[]): string {
  return `${[JSON.stringify(header), ...output.map((mark, i) => JSON.stringify([times[i], 'o', mark.data]))].join('\n')}\n`
}

/** The ClusterView recording: the header line, then one [seconds, event] line per change. */
export function clusterText(header: Record<string, unknown>, times: number[], changes: { event: ClusterEvent }[]): string {
  return `${[JSON.stringify(header), ...changes.map((change, i) => JSON.stringify([times[i], change.event]))].join('\n')}\n`
}
