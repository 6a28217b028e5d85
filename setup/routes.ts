/**
 * Extra pages of the deck: #/backstage, the pre-flight check of every phone (components/BackstageCheck.vue),
 * only under `npm run dev` — `import.meta.hot` exists only in a dev server, so the built deck and the PDF
 * have no such route and none of its code.
 */
import type { RouteRecordRaw } from 'vue-router'

export default function setupRoutes(routes: RouteRecordRaw[]): RouteRecordRaw[] {
  if (!import.meta.hot)
    return routes
  return [...routes, { name: 'backstage', path: '/backstage', component: () => import('../components/BackstageCheck.vue') }]
}
