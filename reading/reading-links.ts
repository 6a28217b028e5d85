/** Where the reading view and the slides view meet: their addresses, and when a screen prefers reading. */

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
