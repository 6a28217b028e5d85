// GET /api/events: the live stream (server-sent events). The hub writes straight to the Node
// response, so a client's backlog is what its socket has not taken (writableLength): exact, and
// without a stream in between. This route sets the headers, reads the client's last event id (the
// Last-Event-ID header EventSource sends when it reconnects, or ?lastEventId= from a page that opens
// a new EventSource) and answers 503 when the room is full.
import type { ServerResponse } from 'node:http'
import type { Role } from '../role.ts'
import type { Hub, Sink } from '../sse.ts'
import type { Fail } from './fail.ts'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { Hono } from 'hono'
import { corsHeaders } from '../cors.ts'

export interface EventRouteDeps {
  role: Role
  hub: Hub
  fail: Fail
  deckOrigin: string | undefined
  /** Headers every answer has (who answered, nosniff...). */
  headers: Record<string, string>
  /** The events a new client gets first: hello, and the current state (slide, queue, audience posting). */
  greeting: () => { event: string, data: unknown }[]
}

function sink(out: ServerResponse): Sink {
  return {
    write: bytes => void out.write(bytes),
    get buffered() {
      return out.writableLength
    },
    end: () => out.end(),
    destroy: () => out.destroy(),
    onClose: listener => void out.once('close', listener),
  }
}

export function eventRoutes(deps: EventRouteDeps): Hono {
  const app = new Hono()
  app.get('/', (c) => {
    const out = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
    if (!out)
      return deps.fail(c, 500, 'the live stream needs the Node server')
    if (!deps.hub.hasRoom(deps.role)) {
      c.header('Retry-After', '15')
      return deps.fail(c, 503, 'the room is full: too many live connections right now; the page retries by itself')
    }
    const lastEventId = (c.req.header('last-event-id') ?? c.req.query('lastEventId'))?.slice(0, 64)
    const headers = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...deps.headers,
      ...corsHeaders(c.req.header('origin'), deps.deckOrigin),
    }
    out.writeHead(200, headers)
    deps.hub.connect(deps.role, sink(out), deps.greeting(), lastEventId)
    // The response is Node's now: this tells @hono/node-server to send nothing more.
    return RESPONSE_ALREADY_SENT
  })
  return app
}
