import type { VueWrapper } from '@vue/test-utils'
import type { ClusterFeed, ClusterFeedOptions } from '../../composables/useClusterFeed.ts'
import type { LiveDemoClient } from '../../live-demo/browser/client.ts'
import type { ClientMessage, ServerMessage } from '../../live-demo/shared/protocol.ts'
import type { FakeSlide } from './support/on-a-slide.ts'
import { mount } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick, shallowRef } from 'vue'
import ClusterView from '../../components/ClusterView.vue'
import { useClusterFeed } from '../../composables/useClusterFeed.ts'
import { onASlide } from './support/on-a-slide.ts'

const SCALE = 'echo-demo/recordings/05-scale-echo.simulated.cluster.jsonl' // a third echo pod at 1.12 s, ready at 3.12 s
const JOIN = 'echo-demo/recordings/08-join-cluster.simulated.cluster.jsonl' // phone-b joins at 4.42 s

/** The dev server's side of the live-demo connection: what the feed sends, and messages to send it. */
function fakeDevServer() {
  const listeners = new Set<(message: ServerMessage) => void>()
  const sent: ClientMessage[] = []
  const client: LiveDemoClient = {
    scripts: [],
    phones: [],
    sessions: shallowRef([]),
    send: message => sent.push(message),
    listen(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return { client, sent, say: (message: ServerMessage) => listeners.forEach(listener => listener(message)) }
}

let wrapper: VueWrapper | undefined

/** Mounts a component that shows a feed, on a slide (page 5; the deck on slide `current`). */
function feedOf(options: Partial<ClusterFeedOptions>, slide: FakeSlide = {}) {
  let feed: ClusterFeed | undefined
  const Probe = defineComponent({
    setup() {
      feed = useClusterFeed({ recording: SCALE, live: false, speed: 1, idleTimeLimit: 2, ...options })
      return () => h('div')
    },
  })
  const fake = onASlide({ page: 5, current: 4, ...slide })
  wrapper = mount(Probe, { global: fake.global })
  return { feed: feed!, nav: fake.nav }
}

/** The pods as "name:ready" and the nodes, in order */
const podsOf = (feed: ClusterFeed) => [...feed.state.value.pods.values()].filter(pod => pod.namespace === 'default').map(pod => `${pod.name}:${pod.ready}`)
const nodesOf = (feed: ClusterFeed) => [...feed.state.value.nodes.keys()]

/** Waits for the recording (vi.waitUntil also runs fake timers: the slide opens only after it). */
async function openOnceLoaded(feed: ClusterFeed, nav: { currentSlideNo: number }) {
  await vi.waitUntil(() => feed.mode.value === 'replay')
  nav.currentSlideNo = 5
  await nextTick()
}

async function loaded(feed: ClusterFeed) {
  await vi.waitFor(() => expect(feed.mode.value).not.toBe('loading'))
}

describe('useClusterFeed', () => {
  afterEach(() => {
    wrapper?.unmount()
    vi.useRealTimers()
  })

  describe('a recording', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    })

    it('shows how the cluster was at the start while its slide is not the current one', async () => {
      const { feed } = feedOf({})
      await vi.waitUntil(() => feed.mode.value === 'replay')
      expect(podsOf(feed)).toEqual(['echo-thqh6csz6g-vqg8z:true', 'echo-thqh6csz6g-jcn26:true'])
      vi.advanceTimersByTime(10_000)
      expect(podsOf(feed)).toHaveLength(2)
    })

    it('replays it at the recorded times when the slide opens, and stops when it closes', async () => {
      const { feed, nav } = feedOf({})
      await openOnceLoaded(feed, nav)
      vi.advanceTimersByTime(1100)
      expect(podsOf(feed)).toHaveLength(2)
      vi.advanceTimersByTime(50)
      expect(podsOf(feed)).toEqual(['echo-thqh6csz6g-vqg8z:true', 'echo-thqh6csz6g-jcn26:true', 'echo-thqh6csz6g-47jpl:false'])
      nav.currentSlideNo = 6
      await nextTick()
      vi.advanceTimersByTime(10_000)
      expect(podsOf(feed).at(-1)).toBe('echo-thqh6csz6g-47jpl:false')
    })

    it('replays from the start again on request', async () => {
      const { feed, nav } = feedOf({})
      await openOnceLoaded(feed, nav)
      vi.advanceTimersByTime(5000)
      expect(podsOf(feed)).toHaveLength(3)
      feed.replay()
      expect(podsOf(feed)).toHaveLength(2)
      vi.advanceTimersByTime(3200)
      expect(podsOf(feed).at(-1)).toBe('echo-thqh6csz6g-47jpl:true')
    })

    it('shortens long pauses to idleTimeLimit and plays at its speed', async () => {
      const { feed, nav } = feedOf({ recording: JOIN, idleTimeLimit: 2, speed: 2 })
      await openOnceLoaded(feed, nav)
      vi.advanceTimersByTime(990)
      expect(nodesOf(feed)).toEqual(['phone-a'])
      vi.advanceTimersByTime(20) // 4.42 s recorded → 2 s shown → 1 s at twice the speed
      expect(nodesOf(feed)).toEqual(['phone-a', 'phone-b'])
    })
  })

  it('shows how the recording ends when printing', async () => {
    const { feed } = feedOf({ recording: JOIN }, { isPrintMode: true })
    await loaded(feed)
    expect(nodesOf(feed)).toEqual(['phone-a', 'phone-b'])
  })

  it('says which recording is missing', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    const { feed } = feedOf({ recording: 'echo-demo/recordings/nothing.cluster.jsonl' })
    await vi.waitUntil(() => feed.failure.value !== undefined)
    expect(feed.failure.value).toBe('missing recording: echo-demo/recordings/nothing.cluster.jsonl')
    expect(feed.mode.value).toBe('loading')
    error.mockRestore()
  })

  describe('the live cluster (npm run dev)', () => {
    it('follows the dev server\'s watch instead of the recording', async () => {
      const server = fakeDevServer()
      const { feed } = feedOf({ live: true, connect: async () => server.client }, { current: 5 })
      await vi.waitUntil(() => server.sent.length > 0)
      expect(server.sent).toEqual([{ t: 'cluster', on: true }])
      server.say({ t: 'cluster', event: { type: 'ADDED', kind: 'Node', name: 'phone-b', ready: true, controlPlane: false } })
      await loaded(feed)
      expect(feed.mode.value).toBe('live')
      expect(nodesOf(feed)).toEqual(['phone-b']) // the live picture, not the recording's phone-a
      wrapper!.unmount()
      wrapper = undefined
      expect(server.sent.at(-1)).toEqual({ t: 'cluster', on: false })
    })

    it('replays the recording, and says why, when the dev server has no cluster', async () => {
      const server = fakeDevServer()
      const { feed } = feedOf({ live: true, connect: async () => server.client }, { current: 5 })
      await vi.waitUntil(() => server.sent.length > 0)
      server.say({ t: 'cluster-status', live: false, message: 'no kubeconfig' })
      await loaded(feed)
      expect([feed.mode.value, feed.note.value]).toEqual(['replay', 'no kubeconfig'])
      expect(nodesOf(feed)).toEqual(['phone-a'])
    })

    it('keeps the last live picture when the watch breaks', async () => {
      const server = fakeDevServer()
      const { feed } = feedOf({ live: true, connect: async () => server.client }, { current: 5 })
      await vi.waitUntil(() => server.sent.length > 0)
      server.say({ t: 'cluster', event: { type: 'ADDED', kind: 'Node', name: 'phone-b', ready: true, controlPlane: false } })
      await loaded(feed)
      server.say({ t: 'cluster-status', live: false, message: 'watch ended' })
      expect([feed.mode.value, feed.note.value, nodesOf(feed)]).toEqual(['replay', 'watch ended', ['phone-b']])
    })

    it('is not asked for outside the slide and presenter views', async () => {
      const server = fakeDevServer()
      const { feed } = feedOf({ live: true, connect: async () => server.client }, { renderContext: 'overview' })
      await loaded(feed)
      expect([feed.mode.value, server.sent]).toEqual(['replay', []])
    })
  })
})

describe('ClusterView', () => {
  afterEach(() => wrapper?.unmount())

  it('draws each node as a phone with its pods, the phones the slide names first', async () => {
    const fake = onASlide({ page: 5, current: 4 })
    wrapper = mount(ClusterView, { props: { recording: JOIN, nodes: ['phone-b'], namespace: '*', live: false }, global: fake.global })
    await vi.waitUntil(() => wrapper!.find('.kop-cluster[data-mode="replay"]').exists())
    expect(wrapper.findAll('[data-node]').map(phone => phone.attributes('data-node'))).toEqual(['phone-b', 'phone-a'])
    expect(wrapper.get('[data-node="phone-b"]').classes()).toContain('absent')
    expect(wrapper.get('[data-node="phone-a"]').findAll('.kop-pod')).toHaveLength(4)
    expect(wrapper.get('.kop-cluster-origin').text()).toBe('simulated phone')
  })
})
