// GET /api/events: the live stream (server-sent events). The hub does the work; this sets the headers,
// reads the client's last event id (the Last-Event-ID header EventSource sends when it reconnects, or
// ?lastEventId= from a page that opens a new EventSource) and answers 503 when the room is full.
import type { ServerResponse } from 'node:http'
import { Hono } from 'hono'
import type { Role } from '../role.ts'
import type { Hub } from '../sse.ts'
import type { Fail } from './fail.ts'

export interface EventRouteDeps {
  role: Role
  hub: Hub
  fail: Fail
  /** The events a new client gets first: hello, and the current state (slide, queue, audience posting). */
  greeting(): { event: string; data: unknown }[]
}

export function eventRoutes(deps: EventRouteDeps): Hono {
  const app = new Hono()
  app.get('/', (c) => {
    const lastEventId = (c.req.header('last-event-id') ?? c.req.query('lastEventId'))?.slice(0, 64)
    // @hono/node-server hands over the Node response: cutting its socket is how a slow client is dropped.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
    const stream = deps.hub.connect(deps.role, deps.greeting(), lastEventId, outgoing && (() => outgoing.destroy()))
    if (!stream) {
      c.header('Retry-After', '15')
      return deps.fail(c, 503, 'the room is full: too many live connections right now; the page retries by itself')
    }
    return new Response(stream, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' },
    })
  })
  return app
}
