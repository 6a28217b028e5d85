import type { PodEvent } from '../../formats/cluster-events.ts'
import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import PodChip from '../../components/PodChip.vue'
import { applyEvent, emptyCluster } from '../../formats/cluster-events.ts'

/** A pod as ClusterView gets it: a watch event applied to the cluster state. */
function chip(pod: Partial<PodEvent>) {
  const event: PodEvent = { type: 'ADDED', kind: 'Pod', namespace: 'default', name: 'echo-6d8f7c9b5d-x2kqp', node: 'phone-a', app: 'echo', phase: 'Running', ready: true, deleting: false, ...pod }
  const state = applyEvent(emptyCluster(), event).pods.get(`default/${event.name}`)!
  return mount(PodChip, { props: { pod: state } })
}

describe('PodChip', () => {
  it.each([
    ['Pending', { phase: 'Pending', ready: false, node: undefined }, 'pending', 'Pending'],
    ['Starting', { phase: 'Running', ready: false }, 'starting', 'Running'],
    ['Running', { phase: 'Running', ready: true }, 'running', 'Running'],
    ['Terminating', { phase: 'Running', ready: true, deleting: true }, 'terminating', 'Terminating'],
    ['Succeeded', { phase: 'Succeeded', ready: false }, 'succeeded', 'Succeeded'],
    ['Failed', { phase: 'Failed', ready: false }, 'failed', 'Failed'],
    ['Unknown', { phase: 'Evicted', ready: false }, 'unknown', 'Unknown'],
  ] as const)('shows %s', (shown, pod, look, kubectlStatus) => {
    const wrapper = chip(pod)
    expect(wrapper.get('.kop-pod-status').text()).toBe(shown)
    expect(wrapper.classes()).toContain(look)
    expect(wrapper.attributes('data-status')).toBe(kubectlStatus)
  })

  it('shows a pod that runs but is not ready yet as Starting, wherever it stands', () => {
    // A pod waiting for a node is never Running, but one whose node left may be: the chip doesn't care where it is.
    expect(chip({ phase: 'Running', ready: false, node: undefined }).get('.kop-pod-status').text()).toBe('Starting')
  })

  it('shortens the generated name to what tells pods apart, and keeps the full name', () => {
    const wrapper = chip({ name: 'echo-6d8f7c9b5d-x2kqp' })
    expect(wrapper.get('.kop-pod-name').text()).toBe('echo-…x2kqp')
    expect(wrapper.attributes('data-pod')).toBe('echo-6d8f7c9b5d-x2kqp')
    expect(chip({ name: 'rqlite-0' }).get('.kop-pod-name').text()).toBe('rqlite-0')
  })

  it('takes its colour from its app: the deck\'s for the demos, a steady one for any other, grey for none', () => {
    const colour = (app?: string) => chip({ app }).attributes('style')
    expect(colour('echo')).toContain('--pod-color: var(--kop-orange)')
    expect(colour('chat')).toContain('--pod-color: var(--kop-blue)')
    expect(colour('rqlite')).toContain('--pod-color: var(--kop-green)')
    expect(colour(undefined)).toContain('--pod-color: var(--kop-gray)')
    expect(colour('coredns')).toMatch(/--pod-color: #[0-9a-f]{6}/)
    expect(colour('coredns')).toBe(colour('coredns'))
  })
})
