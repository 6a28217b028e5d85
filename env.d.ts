declare module 'virtual:project-links' {
  import type { ProjectLinks } from './vite.config.ts'
  import type { QrShape } from './utils/qr.ts'
  export const links: ProjectLinks
  export const qr: Record<string, QrShape>
}
