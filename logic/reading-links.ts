/** Where the reading view and the slides view meet: their addresses, when a screen prefers reading, the chat's stream. */

/** The reading view's address for slide `no` (a route path: the router adds the hash and the base). */
export function readingPath(no: number): string {
  return no > 1 ? `/read/${no}` : '/read'
}

/** The slides view's address for slide `no`. */
export function slidePath(no: number): string {
  return `/${no}`
}

/** The screens that get the reading view by default: phones in portrait (the same query style.css uses). */
export const READING_MEDIA = '(orientation: portrait) and (max-width: 600px)'

export function prefersReading(): boolean {
  return typeof matchMedia === 'function' && matchMedia(READING_MEDIA).matches
}

/** Follow the speaker: the chat's live stream at `chatPublicUrl`, or undefined when there is none or in the dev server. */
export function eventsUrl(chatPublicUrl: string, dev: boolean): string | undefined {
  if (!chatPublicUrl.trim() || dev)
    return undefined
  return new URL('api/events', chatPublicUrl.endsWith('/') ? chatPublicUrl : `${chatPublicUrl}/`).href
}
