// Extra pages of the deck:
// - the reading view (components/reading/ReadingView.vue) at #/read and #/read/N, and the way a phone gets there: a narrow
//   screen in portrait that opens the deck without naming a slide (the QR code's address) starts in it;
// - #/backstage, the pre-flight check of every phone (components/BackstageCheck.vue), only under `npm run dev`:
//   `import.meta.hot` exists only in a dev server, so the built deck and the PDF have no such route and none of its code.
import { defineRoutesSetup } from '@slidev/types'
import { prefersReading } from '../logic/reading-links.ts'

export default defineRoutesSetup((routes) => {
  const deck = [
    // The parameter is not called `no`: Slidev treats a route with `params.no` as a slide of the slides view.
    { name: 'read', path: '/read/:section(\\d+)?', component: () => import('../components/reading/ReadingView.vue') },
    ...routes.map(route => route.path === '' ? { path: '', redirect: () => (prefersReading() ? '/read' : '/1') } : route),
  ]
  if (!import.meta.hot)
    return deck
  return [...deck, { name: 'backstage', path: '/backstage', component: () => import('../components/BackstageCheck.vue') }]
})
