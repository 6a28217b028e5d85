/**
 * What a ClusterView shows, and where it comes from: its recording (`*.cluster.jsonl`, made by
 * scripts/record.sh --cluster or npm run recordings), replayed while the slide is the current one, or, under
 * `npm run dev`, the real cluster live through the dev server's watch (live-demo/browser/client.ts). Printing
 * (the PDF) shows how the recording ends; without a reachable cluster it replays and says why (`note`).
 */
import type { Ref } from 'vue'
import type { ClusterRecording, ClusterState } from '../formats/cluster-events.ts'
import type { LiveDemoClient } from '../live-demo/browser/client.ts'
import { onBeforeUnmount, onMounted, ref, shallowRef, triggerRef, watch } from 'vue'
import { applyEvent, emptyCluster, parseClusterRecording, stateAt } from '../formats/cluster-events.ts'
import { useSlideState } from './useSlideState.ts'

export interface ClusterFeedOptions {
  /** The recording, from the repository root (echo-demo/recordings/… or chat-demo/recordings/…) */
  recording: string
  /** Follow the real cluster when the dev server offers it */
  live: boolean
  /** Replay speed (2 = twice as fast) */
  speed: number
  /** Pauses in the recording longer than this many seconds are shortened to it */
  idleTimeLimit: number
  /** The live-demo connection; by default the dev server's (none in a built deck) */
  connect?: () => Promise<LiveDemoClient | undefined>
}

export interface ClusterFeed {
  state: Ref<ClusterState>
  recorded: Ref<ClusterRecording | undefined>
  /** 'live': the real cluster; 'replay': the recording */
  mode: Ref<'loading' | 'replay' | 'live'>
  /** Why there is no live cluster (the dev server's message) */
  note: Ref<string | undefined>
  /** The recording is missing or unreadable */
  failure: Ref<string | undefined>
  /** Replays the recording from its start */
  replay: () => void
}

const recordings = import.meta.glob<string>(
  ['../echo-demo/recordings/*.cluster.jsonl', '../chat-demo/recordings/*.cluster.jsonl'],
  { query: '?raw', import: 'default' },
)

/** Only a dev server has import.meta.hot: the build drops the live code behind it. */
async function devServerConnection(): Promise<LiveDemoClient | undefined> {
  if (!import.meta.hot)
    return undefined
  const { connectLiveDemo } = await import('../live-demo/browser/client.ts')
  return connectLiveDemo()
}

export function useClusterFeed(options: ClusterFeedOptions): ClusterFeed {
  const { active, printing, interactive } = useSlideState()
  const state = shallowRef<ClusterState>(emptyCluster())
  const recorded = shallowRef<ClusterRecording>()
  const mode = ref<'loading' | 'replay' | 'live'>('loading')
  const note = ref<string>()
  const failure = ref<string>()
  let timers: ReturnType<typeof setTimeout>[] = []
  let stopLive: (() => void) | undefined

  function apply(event: Parameters<typeof applyEvent>[1]) {
    applyEvent(state.value, event)
    triggerRef(state)
  }

  function stopReplay() {
    for (const timer of timers) clearTimeout(timer)
    timers = []
  }

  /** Events at time 0 are the cluster as it was; later ones come at their time, long pauses shortened. */
  function replay() {
    stopReplay()
    const recording = recorded.value
    if (!recording)
      return
    state.value = stateAt(recording, 0)
    let previous = 0
    let shown = 0
    for (const [at, event] of recording.events) {
      shown += Math.min(at - previous, options.idleTimeLimit)
      previous = at
      if (at > 0)
        timers.push(setTimeout(apply, (shown * 1000) / options.speed, event))
    }
  }

  /** Resolves true once the first live event arrives, false when the dev server has no cluster to watch. */
  async function startLive(): Promise<boolean> {
    if (!options.live || !interactive.value)
      return false
    const client = await (options.connect ?? devServerConnection)()
    if (!client)
      return false
    return new Promise((resolve) => {
      let decided = false
      const unlisten = client.listen((message) => {
        if (message.t === 'cluster') {
          if (!decided) {
            decided = true
            stopReplay()
            state.value = emptyCluster()
            mode.value = 'live'
            note.value = undefined
            resolve(true)
          }
          apply(message.event)
        }
        else if (message.t === 'cluster-status' && !message.live) {
          note.value = message.message
          if (!decided) {
            decided = true
            resolve(false)
          }
          else {
            mode.value = 'replay' // the watch broke: keep the last picture, say so
          }
        }
      })
      client.send({ t: 'cluster', on: true })
      stopLive = () => {
        unlisten()
        client.send({ t: 'cluster', on: false })
      }
    })
  }

  async function load(): Promise<ClusterRecording | undefined> {
    const loader = recordings[`../${options.recording.replace(/^\.?\//, '')}`]
    if (!loader) {
      failure.value = `missing recording: ${options.recording}`
      console.error(`ClusterView: no recording ${options.recording}`)
      return undefined
    }
    try {
      return parseClusterRecording(await loader())
    }
    catch (error) {
      failure.value = `unreadable recording: ${options.recording}`
      console.error(`ClusterView: ${options.recording}: ${(error as Error).message}`)
      return undefined
    }
  }

  onMounted(async () => {
    recorded.value = await load()
    if (!recorded.value)
      return
    if (printing.value) {
      state.value = stateAt(recorded.value, recorded.value.duration)
      mode.value = 'replay'
      return
    }
    state.value = stateAt(recorded.value, 0)
    if (await startLive())
      return
    mode.value = 'replay'
    if (active.value)
      replay()
  })

  watch(active, (isActive) => {
    if (mode.value !== 'replay' || printing.value)
      return
    if (isActive)
      replay()
    else
      stopReplay()
  })

  onBeforeUnmount(() => {
    stopReplay()
    stopLive?.()
  })

  return { state, recorded, mode, note, failure, replay }
}
