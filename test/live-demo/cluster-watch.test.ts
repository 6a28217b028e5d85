// ClusterView's live feed (live-demo/node/cluster-watch.ts) on a simulated one-phone cluster with the echo
// server, watched with phone-a's (simulated) kubectl: every node and pod, slimmed, to every subscriber.
import type { ClusterMessage } from '../../live-demo/node/cluster-watch.ts'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ClusterWatch } from '../../live-demo/node/cluster-watch.ts'
import { createSim } from '../../tools/phone-sim/index.ts'

type Sim = ReturnType<typeof createSim>

/** A window's side of the feed: what it was sent, and a wait (with a deadline) for what it expects. */
function subscriber() {
  const messages: ClusterMessage[] = []
  return {
    messages,
    send: (message: ClusterMessage) => void messages.push(message),
    events: () => messages.flatMap(m => (m.t === 'cluster' ? [m.event] : [])),
    async until(test: () => boolean, what: string, ms = 10_000) {
      const deadline = Date.now() + ms
      while (!test()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages).slice(0, 600)}`)
        await new Promise(resolve => setTimeout(resolve, 20))
      }
    },
  }
}

let sim: Sim
let watch: ClusterWatch

afterEach(() => watch?.stop())

describe('a cluster kubectl can watch', () => {
  let objects: number
  let echoPods: string[]

  beforeEach(() => {
    sim = createSim()
    sim.setup('phone-a', 'server')
    expect(sim.run('phone-a', 'echo-demo/scripts/03-deploy-echo.sh').code).toBe(0)
    const nodesAndPods = sim.world().cluster!.objects.filter(o => o.kind === 'Node' || o.kind === 'Pod')
    objects = nodesAndPods.length
    echoPods = nodesAndPods.filter(o => o.metadata.labels?.['app.kubernetes.io/name'] === 'echo').map(o => o.metadata.name)
    expect(echoPods).toHaveLength(2)
    watch = new ClusterWatch(sim.programOn('phone-a', 'kubectl'))
  })
  afterEach(() => sim.cleanup())

  it('says it is live and streams every node and pod, slimmed to what ClusterView draws', async () => {
    const window = subscriber()
    watch.subscribe(window)
    await window.until(() => window.events().length === objects, 'every node and pod')
    expect(window.messages).toContainEqual({ t: 'cluster-status', live: true })
    expect(window.events()).toContainEqual({ type: 'ADDED', kind: 'Node', name: 'phone-a', ready: true, controlPlane: true })
    for (const name of echoPods)
      expect(window.events()).toContainEqual({ type: 'ADDED', kind: 'Pod', namespace: 'default', name, node: 'phone-a', app: 'echo', phase: 'Running', ready: true, deleting: false })
  })

  it('gives a window that subscribes later the current picture at once', async () => {
    const first = subscriber()
    watch.subscribe(first)
    await first.until(() => first.events().length === objects, 'every node and pod')
    const late = subscriber()
    watch.subscribe(late)
    expect(late.events().map(e => e.name).sort()).toEqual(first.events().map(e => e.name).sort())
    expect(late.events().every(e => e.type === 'ADDED')).toBe(true)
    expect(late.messages).toContainEqual({ t: 'cluster-status', live: true })
  })
})

describe('a kubectl that can\'t watch', () => {
  beforeEach(() => {
    watch = new ClusterWatch('/nonexistent/kubectl')
  })

  it('tells every subscriber why (ClusterView then replays its recording)', async () => {
    const window = subscriber()
    watch.subscribe(window)
    await window.until(() => window.messages.some(m => m.t === 'cluster-status'), 'a status')
    const status = window.messages.find(m => m.t === 'cluster-status')
    expect(status).toMatchObject({ live: false, message: expect.stringMatching(/\/nonexistent\/kubectl: .*ENOENT/) })
    expect(window.events()).toEqual([])
  })
})
