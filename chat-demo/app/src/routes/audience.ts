// Audience posting: GET on both listeners (the page shows "paused"), PUT from the tailnet only.
import type { AudienceState } from '../audience.ts'
import type { Role } from '../role.ts'
import type { Fail } from './fail.ts'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { readJsonBody } from './json-body.ts'

const EXAMPLE = '{"posting": false}'
const putBody = z.object({ posting: z.boolean() }).strict()

export function audienceRoutes(deps: { role: Role, audience: AudienceState, fail: Fail }): Hono {
  const { role, audience, fail } = deps
  const app = new Hono()
  app.get('/', c => c.json({ posting: audience.posting }))
  app.put('/', bodyLimit({ maxSize: 256, onError: c => fail(c, 413, 'request body larger than 256 bytes') }), async (c) => {
    if (role !== 'speaker')
      return fail(c, 403, 'only the speaker pauses and resumes the audience (from the tailnet)')
    const body = await readJsonBody(c, EXAMPLE)
    if (!body.ok)
      return fail(c, body.status, body.error)
    const parsed = putBody.safeParse(body.value)
    if (!parsed.success)
      return fail(c, 400, `body must be ${EXAMPLE} or {"posting": true}`)
    audience.setPosting(parsed.data.posting)
    return c.json({ posting: audience.posting })
  })
  return app
}
