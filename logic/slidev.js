// What the deck uses of Slidev's client, from the modules that define it. A plain JavaScript re-export typed by
// slidev.d.ts: Slidev ships its client as TypeScript sources that rely on its build-time globals (__DEV__ and
// friends), which our type check would otherwise have to compile; and '@slidev/client' itself also loads the
// router and the deck's virtual modules, which only a Slidev app has (not a component test).

// Slidev's own click state, for showing a slide with every click step done (as its PDF export does).
export { createFixedClicks } from '@slidev/client/composables/useClicks.ts'
// The keys Slidev's SlideWrapper provides, for the reading view that draws slides itself (and the tests).
export {
  CLICKS_MAX,
  injectionClicksContext,
  injectionCurrentPage,
  injectionFrontmatter,
  injectionRenderContext,
  injectionRoute,
  injectionSlideScale,
  injectionSlidevContext,
  injectionSlideZoom,
} from '@slidev/client/constants.ts'
// The slide a component is on: Slidev's public useSlideContext (exported by '@slidev/client').
export { useSlideContext } from '@slidev/client/context.ts'
