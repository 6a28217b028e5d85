// Slidev's own click state, for showing a slide with every click step done (as its PDF export does). A plain
// JavaScript re-export typed by slidev-clicks.d.ts: Slidev ships these as TypeScript sources that rely on
// its build-time globals (__DEV__ and friends), which our type check would otherwise have to compile.
export { createFixedClicks } from '@slidev/client/composables/useClicks.ts'
export { CLICKS_MAX } from '@slidev/client/constants.ts'
