import type { FollowSpeaker } from './useFollowSpeaker.ts'
import { computed, watch } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { slidePath } from '../logic/reading-links.ts'
import { useFollowSpeaker } from './useFollowSpeaker.ts'

/**
 * Follow the speaker in the slides view: go to the speaker's slide whenever it changes, until the reader
 * goes to another slide on their own. Not in the presenter: that is the speaker.
 */
export function useFollowInSlides(): FollowSpeaker {
  const follow = useFollowSpeaker()
  const route = useRoute()
  const router = useRouter()
  const shown = computed(() => Number(route.params.no) || 1)
  const audience = computed(() => route.name === 'play')

  watch([follow.speakerSlide, follow.following], ([slide, following]) => {
    if (audience.value && following && slide && slide !== shown.value)
      void router.push(slidePath(slide))
  }, { immediate: true })
  watch(shown, (no) => {
    if (audience.value && follow.following.value && follow.speakerSlide.value && no !== follow.speakerSlide.value)
      follow.stopFollowing()
  })
  return follow
}
