// The speaker's current slide: PUT from the tailnet only, GET from anywhere (the deck's reading view).
import type { Role } from '../role.ts'
import type { SlideState } from '../slide.ts'
import type { Fail } from './fail.ts'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { MAX_SLIDE } from '../slide.ts'
import { readJsonBody } from './json-body.ts'

const EXAMPLE = '{"slide": 12}'
const putBody = z.object({ slide: z.number().int().min(1).max(MAX_SLIDE) }).strict()
const MAX_BODY_BYTES = 256

export function slideRoutes(deps: { role: Role, slide: SlideState, fail: Fail }): Hono {
  const { role, slide, fail } = deps
  const app = new Hono()
  app.get('/', c => c.json({ slide: slide.get() }))
  app.put(
    '/',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: c => fail(c, 413, `request body larger than ${MAX_BODY_BYTES} bytes`) }),
    async (c) => {
      if (role !== 'speaker')
        return fail(c, 403, 'only the speaker sets the slide (from the tailnet)')
      const body = await readJsonBody(c, EXAMPLE)
      if (!body.ok)
        return fail(c, body.status, body.error)
      const parsed = putBody.safeParse(body.value)
      if (!parsed.success)
        return fail(c, 400, `body must be ${EXAMPLE}: a whole number from 1 to ${MAX_SLIDE}`)
      slide.set(parsed.data.slide)
      return c.json({ slide: slide.get() })
    },
  )
  return app
}
