// Who is posting, for limits and fair command slots. The address alone can't tell people apart: a
// room shares one NAT address, and behind the funnel every request comes from tailscaled on the
// loopback. So the page hands each browser an id (random, signed by this server: a client can't make
// one up) in an HttpOnly cookie; new ids per address are rate-limited, so nobody mints endless
// identities. Without a valid id, a request counts as its address.
//
// The address on the audience's listener: tailscaled's proxy sets X-Forwarded-For to the client's
// address, replacing what the client sent (ipn/ipnlocal/serve.go, addProxyForwardedHeaders). Only
// there, and only from the loopback, is the header believed; its last entry is the one next to us.
import type { Context } from 'hono'
import type { Role } from './role.ts'
import { Buffer } from 'node:buffer'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { getConnInfo } from '@hono/node-server/conninfo'

export const SENDER_COOKIE = 'chat_sender'

export interface SenderIds {
  issue: () => string
  /** The id inside a valid token, else undefined. */
  verify: (token: string | undefined) => string | undefined
}

export function createSenderIds(secret: Buffer = randomBytes(32)): SenderIds {
  const sign = (id: string) => createHmac('sha256', secret).update(id).digest('base64url').slice(0, 22)
  return {
    issue() {
      const id = randomBytes(12).toString('base64url')
      return `${id}.${sign(id)}`
    },
    verify(token) {
      const match = token === undefined ? null : /^([\w-]{16})\.([\w-]{22})$/.exec(token)
      if (!match)
        return undefined
      const [, id, mac] = match as unknown as [string, string, string]
      const expected = Buffer.from(sign(id))
      return timingSafeEqual(expected, Buffer.from(mac)) ? id : undefined
    },
  }
}

export function senderCookie(c: Context): string | undefined {
  const header = c.req.header('cookie')
  if (!header || header.length > 4096)
    return undefined
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === SENDER_COOKIE)
      return value.join('=')
  }
  return undefined
}

const LOOPBACK = /^(?:127\.|::1$|::ffff:127\.)/

export function clientAddress(c: Context, role: Role): string {
  let socket = 'unknown'
  try {
    socket = getConnInfo(c).remote.address ?? 'unknown'
  }
  catch {
    // not a Node request (tests through app.request)
  }
  if (role !== 'audience' || !LOOPBACK.test(socket))
    return socket
  const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim()
  return forwarded && /^[\da-f.:]{2,45}$/i.test(forwarded) ? forwarded : socket
}
