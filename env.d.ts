declare module 'virtual:project-links' {
  import type { BrowserLinks } from './build/project.ts'

  export const links: BrowserLinks
}

declare module 'virtual:project-qr' {
  import type { QrShape } from './build/qr.ts'

  export const qr: Record<string, QrShape>
}

declare module 'virtual:slide-notes' {
  /** Each slide's notes as HTML, by slide number, in the built deck; null in the dev server (build/slide-notes.ts) */
  export const notesHTML: Record<number, string> | null
}
