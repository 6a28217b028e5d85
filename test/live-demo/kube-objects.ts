// Nodes and pods the way `kubectl get … -o json --watch --output-watch-events` prints them (fields trimmed).

export function rawPod(type: string, name: string, extra: { node?: string, phase?: string, ready?: boolean, deleting?: boolean, labels?: Record<string, string> } = {}) {
  return {
    type,
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: 'default',
        uid: '5e0f3c1a-7d1b-4f7e-9a55-0c2f5d7a1b2c',
        labels: extra.labels ?? { 'app.kubernetes.io/name': 'echo', 'pod-template-hash': '6d8f7c9b5d' },
        ...(extra.deleting ? { deletionTimestamp: '2025-11-21T10:24:02Z', deletionGracePeriodSeconds: 5 } : {}),
      },
      spec: { containers: [{ name: 'echo', image: 'ealen/echo-server:0.9.2' }], ...(extra.node ? { nodeName: extra.node } : {}) },
      status: {
        phase: extra.phase ?? 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: extra.ready ? 'True' : 'False' }],
      },
    },
  }
}

export function rawNode(type: string, name: string, ready: boolean, controlPlane: boolean) {
  return {
    type,
    object: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': 'true' } : {}) } },
      status: { conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: ready ? 'True' : 'Unknown' }] },
    },
  }
}
