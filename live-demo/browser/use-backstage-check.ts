/**
 * The backstage check's state (dev server only, #/backstage): asks the dev server to run the pre-flight
 * script on every phone of project.json over ssh (live-demo/node/phone-check.ts) and collects each phone's
 * result as it arrives.
 */
import type { CheckMessage } from '../shared/protocol.ts'
import type { LiveDemoClient } from './client.ts'
import { computed, onBeforeUnmount, ref, shallowRef } from 'vue'

export interface PhoneState {
  phone: string
  state: 'waiting' | 'running' | 'ready' | 'not ready' | 'unreachable'
  output: string
  problem?: string
  code?: number | null
}

export function useBackstageCheck() {
  const client = shallowRef<LiveDemoClient>()
  const unavailable = ref<string>()
  const phones = ref<PhoneState[]>([])
  const checkedAt = ref<Date>()
  let stop: (() => void) | undefined

  function apply(message: CheckMessage) {
    const entry = phones.value.find(p => p.phone === message.phone)
    if (!entry)
      return
    if (message.state === 'running') {
      Object.assign(entry, { state: 'running', output: '', problem: undefined, code: undefined })
      return
    }
    Object.assign(entry, {
      state: message.problem && message.code !== 0 ? 'unreachable' : message.code === 0 ? 'ready' : 'not ready',
      output: message.output,
      problem: message.problem,
      code: message.code,
    })
    checkedAt.value = new Date()
  }

  async function connect() {
    const { connectLiveDemo } = await import('./client.ts')
    client.value = await connectLiveDemo()
    if (!client.value) {
      unavailable.value = 'The dev server offers no live demos here (exporting, --remote, or another origin): see the terminal that runs npm run dev.'
      return
    }
    if (!client.value.phones.length) {
      unavailable.value = 'project.json names no phones (livePhones.phones).'
      return
    }
    stop = client.value.listen((message) => {
      if (message.t === 'check')
        apply(message)
    })
    run()
  }

  /** Runs the check on every phone again. */
  function run() {
    if (!client.value)
      return
    phones.value = client.value.phones.map(phone => ({ phone, state: 'waiting', output: '' }))
    client.value.send({ t: 'check' })
  }

  const allReady = computed(() => phones.value.length > 0 && phones.value.every(p => p.state === 'ready'))
  const busy = computed(() => phones.value.some(p => p.state === 'waiting' || p.state === 'running'))

  onBeforeUnmount(() => stop?.())
  return { connect, run, phones, unavailable, allReady, busy, checkedAt }
}
