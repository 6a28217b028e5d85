/**
 * Follow the speaker, the audience's half: the speaker's slide, live from the chat's public listener
 * (project.json `chatPublicUrl`; its `GET /api/events` stream carries `event: slide`), and whether this
 * reader follows it. One connection for the whole page, shared by the reading view and the slides view, open
 * while one of them is shown; the reader stops following by moving on their own and comes back with
 * `follow()`. Without a chat address nothing is requested; in the dev server (the speaker's own deck) neither.
 */
import type { Ref } from 'vue'
import { links } from 'virtual:project-links'
import { onBeforeUnmount, onMounted, readonly, ref } from 'vue'
import { eventsUrl } from '../logic/reading-links.ts'

const speakerSlide = ref<number>()
const following = ref(true)
const connected = ref(false)
let source: EventSource | undefined
let users = 0

function connect(url: string) {
  source = new EventSource(url)
  source.addEventListener('open', () => (connected.value = true))
  // EventSource reconnects by itself (the chat asks for 2 s); until then there is no speaker to follow.
  source.addEventListener('error', () => (connected.value = false))
  source.addEventListener('slide', (event) => {
    const slide = Number(JSON.parse((event as MessageEvent<string>).data)?.slide)
    if (Number.isInteger(slide) && slide >= 1)
      speakerSlide.value = slide
  })
}

export interface FollowSpeaker {
  /** The slide the speaker is on, once known */
  speakerSlide: Readonly<Ref<number | undefined>>
  /** The chat's stream is open */
  connected: Readonly<Ref<boolean>>
  /** The page goes where the speaker goes */
  following: Readonly<Ref<boolean>>
  follow: () => void
  stopFollowing: () => void
}

export function useFollowSpeaker(): FollowSpeaker {
  const url = eventsUrl(links.chatPublicUrl ?? '', !!import.meta.hot)
  onMounted(() => {
    users++
    if (url && !source)
      connect(url)
  })
  onBeforeUnmount(() => {
    if (--users === 0 && source) {
      source.close()
      source = undefined
      connected.value = false
    }
  })
  return {
    speakerSlide: readonly(speakerSlide),
    connected: readonly(connected),
    following: readonly(following),
    follow: () => (following.value = true),
    stopFollowing: () => (following.value = false),
  }
}
