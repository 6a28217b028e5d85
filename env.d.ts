declare module 'virtual:project-links' {
  import type { BrowserLinks } from './vite.config.ts'
  import type { QrShape } from './build/qr.ts'
  export const links: BrowserLinks
  export const qr: Record<string, QrShape>
}
