// Extra pages of the deck: the reading view (components/reading/ReadingView.vue) at #/read and #/read/N, and
// the way a phone gets there: a narrow screen in portrait that opens the deck without naming a slide (the QR
// code's address) starts in it. (#/backstage is the live-demo addon's: live-demo/setup/routes.ts.)
import { defineRoutesSetup } from '@slidev/types'
import { prefersReading } from '../logic/reading-links.ts'

export default defineRoutesSetup(routes => [
  // The parameter is not called `no`: Slidev treats a route with `params.no` as a slide of the slides view.
  { name: 'read', path: '/read/:section(\\d+)?', component: () => import('../components/reading/ReadingView.vue') },
  ...routes.map(route => route.path === '' ? { path: '', redirect: () => (prefersReading() ? '/read' : '/1') } : route),
])
