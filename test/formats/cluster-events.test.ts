// ClusterView's model (formats/cluster-events.ts): kubectl's watch events slimmed, a recording replayed
// into nodes and pods — pods appear, move to another phone, disappear.
import type { ClusterState } from '../../formats/cluster-events.ts'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { demoFolders } from '../../demos.ts'
import {
  applyEvent,

  emptyCluster,
  JsonStreamSplitter,
  parseClusterRecording,
  podStatus,
  slimEvent,
  stateAt,
} from '../../formats/cluster-events.ts'
import { rawNode, rawPod } from '../live-demo/kube-objects.ts'

const repo = resolve(import.meta.dirname, '../..')

const podsOn = (state: ClusterState, node: string) => [...state.pods.values()].filter(pod => pod.node === node).map(pod => pod.name).sort()

describe('slimEvent', () => {
  it('keeps what ClusterView draws of a pod', () => {
    expect(slimEvent(rawPod('MODIFIED', 'echo-6d8f7c9b5d-x2kqp', { node: 'phone-a', phase: 'Running', ready: true }))).toEqual({
      type: 'MODIFIED',
      kind: 'Pod',
      namespace: 'default',
      name: 'echo-6d8f7c9b5d-x2kqp',
      node: 'phone-a',
      app: 'echo',
      phase: 'Running',
      ready: true,
      deleting: false,
    })
    expect(slimEvent(rawPod('ADDED', 'p', { labels: { app: 'legacy' } }))).toMatchObject({ app: 'legacy', phase: 'Pending', ready: false })
    expect(slimEvent(rawPod('ADDED', 'p', { labels: {} }))).not.toHaveProperty('app')
    expect(slimEvent(rawPod('MODIFIED', 'p', { deleting: true }))).toMatchObject({ deleting: true })
  })

  it('keeps what ClusterView draws of a node', () => {
    expect(slimEvent(rawNode('ADDED', 'phone-a', true, true))).toEqual({ type: 'ADDED', kind: 'Node', name: 'phone-a', ready: true, controlPlane: true })
    expect(slimEvent(rawNode('MODIFIED', 'phone-b', false, false))).toEqual({ type: 'MODIFIED', kind: 'Node', name: 'phone-b', ready: false, controlPlane: false })
  })

  it('ignores bookmarks, errors and other kinds', () => {
    expect(slimEvent({ type: 'BOOKMARK', object: { kind: 'Pod', metadata: { name: 'x' } } })).toBeUndefined()
    expect(slimEvent({ type: 'ERROR', object: { kind: 'Status' } })).toBeUndefined()
    expect(slimEvent({ type: 'ADDED', object: { kind: 'Service', metadata: { name: 'echo' } } })).toBeUndefined()
  })
})

describe('JsonStreamSplitter', () => {
  it('splits kubectl\'s indented objects, whatever the chunks', () => {
    const objects = [rawNode('ADDED', 'phone-a', true, true), rawPod('ADDED', 'weird-"{}"-name')]
    const text = objects.map(o => `${JSON.stringify(o, null, 4)}\n`).join('')
    for (const size of [1, 7, 64, text.length]) {
      const splitter = new JsonStreamSplitter()
      const found: unknown[] = []
      for (let i = 0; i < text.length; i += size)
        found.push(...splitter.push(text.slice(i, i + size)).map(t => JSON.parse(t)))
      expect(found, `chunks of ${size}`).toEqual(objects)
    }
  })
})

describe('replaying a recording', () => {
  // A hand-written test input (not on a slide): three pods on two phones, then phone-b leaves and comes back.
  const recording = parseClusterRecording(readFileSync(join(import.meta.dirname, 'fixtures/phone-b-leaves.cluster.jsonl'), 'utf8'))

  it('starts with the cluster as it was', () => {
    const start = stateAt(recording, 0)
    expect([...start.nodes.keys()]).toEqual(['phone-a', 'phone-b'])
    expect(podsOn(start, 'phone-a')).toEqual(['echo-6d8f7c9b5d-wz5hd'])
    expect(podsOn(start, 'phone-b')).toEqual(['echo-6d8f7c9b5d-bq7tn'])
  })

  it('lets a new pod wait for a node, then start on one', () => {
    expect(stateAt(recording, 1.51).pods.get('default/echo-6d8f7c9b5d-n8k2c')).toMatchObject({ status: 'Pending' })
    expect(stateAt(recording, 1.51).pods.get('default/echo-6d8f7c9b5d-n8k2c')?.node).toBeUndefined()
    expect(stateAt(recording, 3).pods.get('default/echo-6d8f7c9b5d-n8k2c')).toMatchObject({ node: 'phone-a', status: 'Running', ready: false })
    expect(stateAt(recording, 10).pods.get('default/echo-6d8f7c9b5d-n8k2c')).toMatchObject({ ready: true })
  })

  it('moves the pod of a phone that left: Terminating there, started again on the other', () => {
    expect(stateAt(recording, 100).nodes.get('phone-b')).toMatchObject({ ready: false })
    const evicted = stateAt(recording, 361.26)
    expect(evicted.pods.get('default/echo-6d8f7c9b5d-bq7tn')).toMatchObject({ node: 'phone-b', status: 'Terminating' })
    expect(evicted.pods.get('default/echo-6d8f7c9b5d-t7p4s')).toMatchObject({ status: 'Pending' })
    const end = stateAt(recording, recording.duration)
    expect(end.nodes.get('phone-b')).toMatchObject({ ready: true })
    expect(podsOn(end, 'phone-a')).toEqual(['echo-6d8f7c9b5d-n8k2c', 'echo-6d8f7c9b5d-t7p4s', 'echo-6d8f7c9b5d-wz5hd'])
    expect(podsOn(end, 'phone-b')).toEqual([])
    expect(end.pods.get('default/echo-6d8f7c9b5d-t7p4s')).toMatchObject({ status: 'Running', ready: true })
  })

  it('knows kubectl\'s statuses', () => {
    const base = { type: 'ADDED', kind: 'Pod', namespace: 'd', name: 'p', ready: false, deleting: false } as const
    expect(podStatus({ ...base, phase: 'Pending' })).toBe('Pending')
    expect(podStatus({ ...base, phase: 'Running', deleting: true })).toBe('Terminating')
    expect(podStatus({ ...base, phase: 'Weird' })).toBe('Unknown')
    const state = applyEvent(emptyCluster(), { ...base, phase: 'Running' })
    expect(applyEvent(state, { ...base, type: 'DELETED', phase: 'Running' }).pods.size).toBe(0)
  })
})

describe('the cluster recordings in the repository', () => {
  const files = demoFolders('recordings').flatMap(dir =>
    readdirSync(join(repo, dir)).filter(name => name.endsWith('.cluster.jsonl')).map(name => `${dir}/${name}`))

  it.each(files)('%s parses and keeps its pods on its nodes', (file) => {
    const parsed = parseClusterRecording(readFileSync(join(repo, file), 'utf8'))
    expect(parsed.events.length).toBeGreaterThan(0)
    // every pod lives on a node the recording knows by the end of its life
    const end = stateAt(parsed, parsed.duration)
    for (const pod of end.pods.values())
      expect(end.nodes.has(pod.node ?? ''), `${file}: ${pod.name} on ${pod.node}`).toBe(true)
  })

  it('refuses other files', () => {
    expect(() => parseClusterRecording('{"version": 2, "width": 80, "height": 24}')).toThrow(/cluster-events/)
    expect(() => parseClusterRecording('{"version": 1, "kind": "cluster-events"}\n[1, {"kind": "Service"}]')).toThrow('cluster recording line 2 is not [seconds, event]')
    expect(() => parseClusterRecording('')).toThrow('empty cluster recording')
    expect(() => parseClusterRecording('{"version": 1, "kind": "cluster-events"}\n\n[1, {')).toThrow('cluster recording line 3 is not JSON')
  })
})
