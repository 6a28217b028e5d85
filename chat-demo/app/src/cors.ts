// CORS for exactly one other origin: the hosted deck (DECK_ORIGIN) may read the current slide and the
// live stream. No credentials, no other methods, no other origins: everyone else gets no CORS header.
import type { MiddlewareHandler } from 'hono'

/** The CORS header for a GET from `origin`: only when it is exactly the deck's origin. */
export function corsHeaders(origin: string | undefined, deckOrigin: string | undefined): Record<string, string> {
  return deckOrigin && origin === deckOrigin ? { 'access-control-allow-origin': deckOrigin, 'vary': 'Origin' } : { vary: 'Origin' }
}

export function deckCors(deckOrigin: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    await next()
    c.res.headers.append('Vary', 'Origin')
    if (deckOrigin && c.req.method === 'GET' && c.req.header('origin') === deckOrigin) {
      c.res.headers.set('Access-Control-Allow-Origin', deckOrigin)
    }
  }
}
