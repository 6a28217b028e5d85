// The audience's limits, shared by both listeners' routes: sender ids handed out with the page, and
// token buckets per sender, per address, and for new ids per address (src/senders.ts says why).
import type { Context, MiddlewareHandler } from 'hono'
import type { Config } from './config.ts'
import type { Role } from './role.ts'
import { createBuckets } from './limits.ts'
import { clientAddress, createSenderIds, SENDER_COOKIE, senderCookie } from './senders.ts'

export type Admission = { ok: true, sender: string } | { ok: false, retryAfterSeconds: number, error: string }

export interface Crowd {
  /** GET middleware: a browser without a valid id gets one (if its address may have another). */
  issueIds: (role: Role) => MiddlewareHandler
  /** The sender of a post, and whether it may post now (the speaker always may). */
  admit: (c: Context, role: Role) => Admission
}

export function createCrowd(config: Config): Crowd {
  const ids = createSenderIds()
  const perSender = createBuckets({ capacity: config.messageBurst, perMinute: config.messagesPerMinute })
  const perAddress = createBuckets({ capacity: config.addressMessagesPerMinute, perMinute: config.addressMessagesPerMinute })
  const newIds = createBuckets({ capacity: config.newSenderBurst, perMinute: config.newSendersPerMinute })

  return {
    issueIds: role => async (c, next) => {
      await next()
      // The live stream answers by itself (its headers are sent already): no cookie there.
      if (role !== 'audience' || c.res.headers.has('x-hono-already-sent') || ids.verify(senderCookie(c)))
        return
      if (!newIds.take(clientAddress(c, role)).ok)
        return
      c.res.headers.append('Set-Cookie', `${SENDER_COOKIE}=${ids.issue()}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400`)
    },
    admit(c, role) {
      if (role === 'speaker')
        return { ok: true, sender: 'speaker' }
      const address = clientAddress(c, role)
      const id = ids.verify(senderCookie(c))
      const sender = id ? `id:${id}` : `address:${address}`
      const mine = perSender.take(sender)
      if (!mine.ok)
        return { ok: false, retryAfterSeconds: mine.retryAfterSeconds, error: `you are posting too fast; wait ${mine.retryAfterSeconds} s` }
      const shared = perAddress.take(address)
      if (!shared.ok)
        return { ok: false, retryAfterSeconds: shared.retryAfterSeconds, error: `your network is posting too fast; wait ${shared.retryAfterSeconds} s` }
      return { ok: true, sender }
    },
  }
}
