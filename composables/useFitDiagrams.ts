import type { Ref } from 'vue'
import { onBeforeUnmount, onMounted } from 'vue'

/** The smallest text a diagram may shrink to (CSS px): below it, the diagram scrolls sideways instead. */
export const DIAGRAM_TEXT_MIN_PX = 14

/**
 * Mermaid diagrams at the reading view's full width. Slidev draws each diagram inside a shadow root (the
 * `.mermaid` element), sized for the slide, where the page's CSS can't reach: each one found under
 * `container` gets a style sheet of its own that fits the drawing to the width — but never so narrow that
 * its labels fall under DIAGRAM_TEXT_MIN_PX; a wider one scrolls inside its block (reading.css).
 */
export function useFitDiagrams(container: Readonly<Ref<HTMLElement | null>>, hostSelector = '.mermaid') {
  const sheet = new CSSStyleSheet()
  sheet.replaceSync('svg { width: max(100%, var(--kop-diagram-min-width, 0px)) !important; max-width: none !important; height: auto !important; }')
  const watched = new WeakSet<ShadowRoot>()

  /** The width at which the diagram's labels are DIAGRAM_TEXT_MIN_PX tall, from its drawing's own size. */
  function setMinWidth(host: HTMLElement, root: ShadowRoot) {
    const svg = root.querySelector('svg')
    const drawnWidth = svg?.viewBox.baseVal?.width
    const label = svg?.querySelector('foreignObject div, text')
    if (!svg || !drawnWidth || !label)
      return
    const labelPx = Number.parseFloat(getComputedStyle(label).fontSize) || 16
    host.style.setProperty('--kop-diagram-min-width', `${Math.ceil(drawnWidth * DIAGRAM_TEXT_MIN_PX / labelPx)}px`)
  }

  function fit() {
    for (const host of container.value?.querySelectorAll<HTMLElement>(hostSelector) ?? []) {
      const root = host.shadowRoot
      if (!root || watched.has(root))
        continue
      watched.add(root)
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
      // Mermaid draws asynchronously, into the shadow root: size the host once the drawing is there.
      new MutationObserver(() => setMinWidth(host, root)).observe(root, { childList: true, subtree: true })
      setMinWidth(host, root)
    }
  }

  const observer = new MutationObserver(fit)
  onMounted(() => {
    if (container.value)
      observer.observe(container.value, { childList: true, subtree: true })
    fit()
  })
  onBeforeUnmount(() => observer.disconnect())
}
