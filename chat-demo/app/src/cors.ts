// CORS for exactly one other origin: the hosted deck (DECK_ORIGIN) may read the current slide and the
// live stream. No credentials, no other methods, no other origins: everyone else gets no CORS header.
import type { MiddlewareHandler } from 'hono'

export function deckCors(deckOrigin: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    await next()
    c.res.headers.append('Vary', 'Origin')
    if (deckOrigin && c.req.method === 'GET' && c.req.header('origin') === deckOrigin) {
      c.res.headers.set('Access-Control-Allow-Origin', deckOrigin)
    }
  }
}
