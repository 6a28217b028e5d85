/**
 * SIM_TRACE=FILE: after every simulated second, the cluster's nodes and pods (the fields ClusterView
 * draws) are appended to FILE as one JSON line `{now, objects}`. The simulated recordings
 * (scripts/recordings/) turn these into ClusterView's events, so a pod's Pending → Running → Terminating
 * inside one long `kubectl rollout status` shows as it happened. Off unless the variable is set.
 */
import type { World } from './world.ts'
import { appendFileSync } from 'node:fs'
import process from 'node:process'

export function traceTick(world: World): void {
  const file = process.env.SIM_TRACE
  if (!file || !world.cluster)
    return
  const objects = world.cluster.objects.filter(o => o.kind === 'Pod' || o.kind === 'Node').map(o => ({
    kind: o.kind,
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, labels: o.metadata.labels, deletionTimestamp: o.metadata.deletionTimestamp },
    spec: { nodeName: (o.spec as { nodeName?: string } | undefined)?.nodeName },
    status: { phase: (o.status as { phase?: string } | undefined)?.phase, conditions: (o.status as { conditions?: unknown } | undefined)?.conditions },
  }))
  appendFileSync(file, `${JSON.stringify({ now: world.now, objects })}\n`)
}
