// Reads a JSON request body: only Content-Type application/json (a page on another site can send
// text/plain forms without asking, but not JSON), only valid UTF-8, at most maxBytes (bodyLimit).
import type { Context } from 'hono'

export type JsonBody = { ok: true, value: unknown } | { ok: false, status: 400 | 415, error: string }

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export async function readJsonBody(c: Context, example: string): Promise<JsonBody> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json')
    return { ok: false, status: 415, error: `send Content-Type: application/json with a body like ${example}` }
  let text: string
  try {
    text = strictUtf8.decode(await c.req.arrayBuffer())
  }
  catch {
    return { ok: false, status: 400, error: 'body is not valid UTF-8' }
  }
  try {
    return { ok: true, value: JSON.parse(text) }
  }
  catch {
    return { ok: false, status: 400, error: `body must be JSON like ${example}` }
  }
}
