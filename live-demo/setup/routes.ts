// #/backstage, the pre-flight check of every phone (live-demo/components/BackstageCheck.vue), only under
// `npm run dev`: `import.meta.hot` exists only in a dev server, so the built deck and the PDF have no such
// route and none of its code. (Slidev chains every root's routes setup: this addon's, then the deck's.)
import { defineRoutesSetup } from '@slidev/types'

export default defineRoutesSetup((routes) => {
  if (!import.meta.hot)
    return routes
  return [...routes, { name: 'backstage', path: '/backstage', component: () => import('../components/BackstageCheck.vue') }]
})
