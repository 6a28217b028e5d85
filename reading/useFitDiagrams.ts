import { onBeforeUnmount, onMounted, type Ref } from 'vue'

/**
 * Mermaid diagrams at the reading view's full width. Slidev draws each diagram inside a shadow root (the
 * `.mermaid` element), sized for the slide, where the page's CSS can't reach: each one found under
 * `container` gets a style sheet of its own that fits the drawing to the width.
 */
export function useFitDiagrams(container: Readonly<Ref<HTMLElement | null>>, hostSelector = '.mermaid') {
  const sheet = new CSSStyleSheet()
  sheet.replaceSync('svg { width: 100% !important; max-width: 100% !important; height: auto !important; }')

  function fit() {
    for (const host of container.value?.querySelectorAll(hostSelector) ?? []) {
      const root = host.shadowRoot
      if (root && !root.adoptedStyleSheets.includes(sheet))
        root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]
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
