// One page of history for GET /api/messages, bounded twice: at most `limit` messages and at most
// maxBytes of JSON. The store is read in small batches, so no single database answer gets large
// either (a message with a command's output can be ~70 KB). A page cut short by the byte limit
// says so the usual way: nextBefore points at its last message.
import type { Message, Store } from '../store/index.ts'
import { Buffer } from 'node:buffer'

export const MAX_PAGE_BYTES = 1024 * 1024
const BATCH = 20

export async function historyPage(store: Store, page: { before?: number, limit: number }, maxBytes = MAX_PAGE_BYTES) {
  const messages: Message[] = []
  let bytes = 200 // the envelope: {"messages":[],"nextBefore":…,"pod":…,"node":…}
  let before = page.before
  let more = true
  while (more && messages.length < page.limit) {
    const want = Math.min(BATCH, page.limit - messages.length)
    const batch = await store.list({ before, limit: want })
    more = batch.length === want
    for (const message of batch) {
      const size = Buffer.byteLength(JSON.stringify(message)) + 1
      if (messages.length > 0 && bytes + size > maxBytes)
        return { messages, nextBefore: messages.at(-1)?.id ?? null }
      messages.push(message)
      bytes += size
    }
    before = batch.at(-1)?.id
  }
  return { messages, nextBefore: more && messages.length > 0 ? (messages.at(-1)?.id ?? null) : null }
}
