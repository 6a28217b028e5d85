// The messages API: GET a page of history, POST a message or a command.
import type { Context } from 'hono'
import type { Chat } from '../chat.ts'
import type { Config } from '../config.ts'
import type { Crowd } from '../crowd.ts'
import type { Role } from '../role.ts'
import type { Store } from '../store/index.ts'
import type { Fail } from './fail.ts'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { z } from 'zod'
import { BusyError, ForbiddenError } from '../chat.ts'
import { checkText } from '../text.ts'
import { historyPage } from './history.ts'
import { readJsonBody } from './json-body.ts'

export interface MessageRouteDeps {
  role: Role
  config: Config
  chat: Chat
  store: Store
  crowd: Crowd
  fail: Fail
  who: { pod: string, node: string }
  storeStarted: () => boolean
}

const EXAMPLE = '{"text": "hello"}'
const postBody = z.object({ text: z.string() })

const pageQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})

export function messageRoutes(deps: MessageRouteDeps): Hono {
  const { config, chat, store, fail, who } = deps
  const app = new Hono()

  app.get('/messages', async (c) => {
    const query = pageQuery.safeParse(c.req.query())
    if (!query.success)
      return fail(c, 400, 'use ?before=ID (a positive whole number) and ?limit=N (1-200)')
    if (!deps.storeStarted())
      return fail(c, 503, 'store unavailable: not started yet')
    return c.json({ ...(await historyPage(store, query.data)), ...who })
  })

  // JSON escapes can make a message up to 6 bytes per character; anything bigger is refused unread.
  const maxBodyBytes = config.maxMessageLength * 6 + 1024
  const limit = bodyLimit({ maxSize: maxBodyBytes, onError: c => fail(c, 413, `request body larger than ${maxBodyBytes} bytes`) })

  const post = async (c: Context) => {
    // The page sends a fresh key per message and the same key when it retries (a lost answer).
    const key = c.req.header('idempotency-key')
    if (key !== undefined && !/^[\w-]{8,64}$/.test(key))
      return fail(c, 400, 'Idempotency-Key must be 8-64 letters, digits, "-" or "_" (a UUID will do)')
    const body = await readJsonBody(c, EXAMPLE)
    if (!body.ok)
      return fail(c, body.status, body.error)
    const parsed = postBody.safeParse(body.value)
    if (!parsed.success)
      return fail(c, 400, `body must be JSON like ${EXAMPLE}`)
    const { text } = parsed.data
    const problem = checkText(text, config.maxMessageLength)
    if (problem)
      return fail(c, problem.status, problem.error)
    if (!deps.storeStarted())
      return fail(c, 503, 'store unavailable: not started yet')
    const admission = deps.crowd.admit(c, deps.role)
    if (!admission.ok) {
      c.header('Retry-After', String(admission.retryAfterSeconds))
      return fail(c, 429, admission.error)
    }
    let result
    try {
      result = await chat.post(text, { role: deps.role, sender: admission.sender, key: key && `${admission.sender}:${key}` })
    }
    catch (error) {
      if (error instanceof ForbiddenError)
        return fail(c, 403, error.message)
      if (error instanceof BusyError) {
        c.header('Retry-After', '5')
        return fail(c, 429, error.message)
      }
      throw error
    }
    if (result.kind === 'clear')
      return c.json({ clear: true, note: 'Only your screen is cleared; the messages stay stored.', ...who })
    // ?wait=1: answer when the command has finished (handy with curl); the default answers at once.
    const wait = ['1', 'true'].includes(c.req.query('wait') ?? '')
    const message = wait ? await result.done : result.message
    const queue = result.queuePosition && !wait ? { queue: { position: result.queuePosition } } : {}
    return c.json({ message, ...queue, ...who }, 201)
  }
  app.post('/messages/:id{[0-9]{1,15}}/hide', async (c) => {
    if (deps.role !== 'speaker')
      return fail(c, 403, 'only the speaker hides messages (from the tailnet)')
    if (!deps.storeStarted())
      return fail(c, 503, 'store unavailable: not started yet')
    const id = Number(c.req.param('id'))
    if (!(await chat.hide(id)))
      return fail(c, 404, `there is no message ${id}`)
    return c.json({ hidden: id, ...who })
  })

  app.post('/messages', limit, post)
  return app
}
