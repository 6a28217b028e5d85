/**
 * What ClusterView draws: nodes (phones) and pods, built from a stream of watch events. The same small
 * event shape comes from three places:
 *   - the dev server (live-demo/node/cluster-watch.ts), which runs `kubectl get pods|nodes -o json --watch
 *     --output-watch-events` and slims every event with `slimEvent`;
 *   - scripts/record.sh --cluster, whose jq filter produces the same fields (a test checks both agree);
 *   - npm run recordings (scripts/recordings/), which slims the simulated cluster's objects with slimEvent;
 *   - a recording (`*.cluster.jsonl`): a header line, then `[seconds, event]` lines (json-lines.ts), replayed
 *     in the build.
 */

import type { RecordingOrigin } from './recording-label.ts'
import { readJsonLines } from './json-lines.ts'

export interface NodeEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  kind: 'Node'
  name: string
  ready: boolean
  controlPlane: boolean
}

export interface PodEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED'
  kind: 'Pod'
  namespace: string
  name: string
  /** spec.nodeName: undefined while the pod waits for a node */
  node?: string
  /** app.kubernetes.io/name, or the older `app` label */
  app?: string
  phase: string
  ready: boolean
  /** metadata.deletionTimestamp is set: the pod is Terminating */
  deleting: boolean
}

export type ClusterEvent = NodeEvent | PodEvent

export interface ClusterRecordingHeader extends RecordingOrigin {
  version: 1
  kind: 'cluster-events'
  [key: string]: unknown
}

export interface ClusterRecording {
  header: ClusterRecordingHeader
  /** [seconds since start, event], in time order */
  events: [number, ClusterEvent][]
  duration: number
}

/** What a pod chip shows; kubectl's STATUS column in short. */
export type PodStatus = 'Pending' | 'Running' | 'Terminating' | 'Succeeded' | 'Failed' | 'Unknown'

export interface PodState extends PodEvent {
  status: PodStatus
}

export interface ClusterState {
  nodes: Map<string, NodeEvent>
  /** key: namespace/name */
  pods: Map<string, PodState>
}

interface RawObject {
  kind?: string
  metadata?: { name?: string, namespace?: string, labels?: Record<string, string>, deletionTimestamp?: string }
  spec?: { nodeName?: string }
  status?: { phase?: string, conditions?: { type?: string, status?: string }[] }
}

const isReady = (object: RawObject) => object.status?.conditions?.some(c => c.type === 'Ready' && c.status === 'True') ?? false

/** Slims a `kubectl get … -o json --watch --output-watch-events` event ({type, object}) to what ClusterView needs. */
export function slimEvent(raw: { type?: string, object?: RawObject }): ClusterEvent | undefined {
  const type = raw.type
  const object = raw.object
  if (!object || (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED'))
    return undefined
  const name = object.metadata?.name
  if (!name)
    return undefined
  const labels = object.metadata?.labels ?? {}
  if (object.kind === 'Node') {
    return {
      type,
      kind: 'Node',
      name,
      ready: isReady(object),
      controlPlane: 'node-role.kubernetes.io/control-plane' in labels || 'node-role.kubernetes.io/master' in labels,
    }
  }
  if (object.kind === 'Pod') {
    const app = labels['app.kubernetes.io/name'] ?? labels.app
    return {
      type,
      kind: 'Pod',
      namespace: object.metadata?.namespace ?? 'default',
      name,
      ...(object.spec?.nodeName ? { node: object.spec.nodeName } : {}),
      ...(app ? { app } : {}),
      phase: object.status?.phase ?? 'Pending',
      ready: isReady(object),
      deleting: Boolean(object.metadata?.deletionTimestamp),
    }
  }
  return undefined
}

export function podStatus(pod: PodEvent): PodStatus {
  if (pod.deleting)
    return 'Terminating'
  if (['Pending', 'Running', 'Succeeded', 'Failed'].includes(pod.phase))
    return pod.phase as PodStatus
  return 'Unknown'
}

export function emptyCluster(): ClusterState {
  return { nodes: new Map(), pods: new Map() }
}

/** Applies one event to the state (in place) and returns it. */
export function applyEvent(state: ClusterState, event: ClusterEvent): ClusterState {
  if (event.kind === 'Node') {
    if (event.type === 'DELETED')
      state.nodes.delete(event.name)
    else
      state.nodes.set(event.name, event)
  }
  else {
    const key = `${event.namespace}/${event.name}`
    if (event.type === 'DELETED')
      state.pods.delete(key)
    else
      state.pods.set(key, { ...event, status: podStatus(event) })
  }
  return state
}

/** The state after every event up to and including `time` seconds. */
export function stateAt(recording: ClusterRecording, time: number): ClusterState {
  const state = emptyCluster()
  for (const [at, event] of recording.events) {
    if (at > time)
      break
    applyEvent(state, event)
  }
  return state
}

/** Parses a `*.cluster.jsonl` recording (see the module comment). */
export function parseClusterRecording(text: string): ClusterRecording {
  const { header: raw, entries } = readJsonLines(text, 'cluster recording')
  const header = raw as ClusterRecordingHeader
  if (header.kind !== 'cluster-events' || header.version !== 1)
    throw new Error('not a cluster-events recording (header needs "kind": "cluster-events", "version": 1)')
  const events = entries.map(({ value, line }) => {
    const entry = value as [number, ClusterEvent]
    if (!Array.isArray(entry) || typeof entry[0] !== 'number' || !entry[1] || !['Pod', 'Node'].includes(entry[1].kind))
      throw new Error(`cluster recording line ${line} is not [seconds, event]`)
    return entry
  })
  events.sort((a, b) => a[0] - b[0])
  return { header, events, duration: events.at(-1)?.[0] ?? 0 }
}

/**
 * Splits a stream of concatenated JSON values (what `kubectl get -o json --watch` prints: one indented
 * object after another) into the values, as chunks arrive.
 */
export class JsonStreamSplitter {
  private buffer = ''
  private depth = 0
  private inString = false
  private escaped = false
  private start = -1
  private scanned = 0

  /** Feeds a chunk; returns the complete JSON texts it finished. */
  push(chunk: string): string[] {
    const done: string[] = []
    this.buffer += chunk
    for (let i = this.scanned; i < this.buffer.length; i++) {
      const ch = this.buffer[i]
      if (this.inString) {
        if (this.escaped)
          this.escaped = false
        else if (ch === '\\')
          this.escaped = true
        else if (ch === '"')
          this.inString = false
        continue
      }
      if (ch === '"') {
        this.inString = true
      }
      else if (ch === '{' || ch === '[') {
        if (this.depth === 0)
          this.start = i
        this.depth++
      }
      else if ((ch === '}' || ch === ']') && this.depth > 0) {
        this.depth--
        if (this.depth === 0) {
          done.push(this.buffer.slice(this.start, i + 1))
          this.buffer = this.buffer.slice(i + 1)
          i = -1
          this.start = -1
        }
      }
    }
    this.scanned = this.buffer.length
    if (this.depth === 0 && !this.inString) {
      this.buffer = ''
      this.scanned = 0
    }
    return done
  }
}
