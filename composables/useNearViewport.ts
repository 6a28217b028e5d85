import type { Ref } from 'vue'
import { onBeforeUnmount, onMounted, ref } from 'vue'

/**
 * Becomes true once `element` comes within `margin` of the viewport, and stays true: the reading view
 * loads a slide's component only when the reader gets near it (each slide is its own chunk).
 */
export function useNearViewport(element: Readonly<Ref<HTMLElement | null>>, margin = '150% 0px'): Ref<boolean> {
  const near = ref(false)
  let observer: IntersectionObserver | undefined
  onMounted(() => {
    if (!element.value)
      return
    observer = new IntersectionObserver((entries) => {
      if (entries.some(entry => entry.isIntersecting)) {
        near.value = true
        observer?.disconnect()
      }
    }, { rootMargin: margin })
    observer.observe(element.value)
  })
  onBeforeUnmount(() => observer?.disconnect())
  return near
}
