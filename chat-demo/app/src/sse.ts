// Server-sent events: every connected browser gets every new, updated or hidden message, no polling.
//
// Built for a crowd: each event is encoded once and the same bytes are written to every client's
// socket, so memory grows with the events in flight, not with the number of clients. A client whose
// unread backlog (what its socket has not taken yet) passes bufferBytes (it stopped reading: a phone
// in a pocket, a hostile script) is cut off;
// its browser reconnects with Last-Event-ID and gets what it missed from a bounded replay buffer,
// or, if that is gone too, the event "reset" (reload the latest page). Past maxClients: refused.
import type { Role } from './role.ts'

export interface HubOptions {
  /** Unread bytes a client may have queued before it is dropped (one event larger than this still goes out alone). */
  bufferBytes: number
  /** Live streams at once on the audience's listener. */
  maxAudienceClients: number
  /** Live streams at once on the speaker's listener (the speaker's laptop, the phone, the deck). */
  maxSpeakerClients: number
  /** Recent events kept for reconnecting clients: at most this many bytes and events. */
  replayBytes: number
  replayEvents: number
  keepAliveMs: number
  onDrop?: (role: Role) => void
}

export const DEFAULT_HUB_OPTIONS: HubOptions = {
  bufferBytes: 256 * 1024,
  maxAudienceClients: 2000,
  maxSpeakerClients: 50,
  replayBytes: 1024 * 1024,
  replayEvents: 1000,
  keepAliveMs: 15_000,
}

/** Where a client's events go: its HTTP response. */
export interface Sink {
  write: (bytes: Uint8Array) => void
  /** Bytes written but not yet taken by the socket. */
  readonly buffered: number
  /** Ends the stream (shutdown). */
  end: () => void
  /** Cuts the connection: what is queued for it is freed. */
  destroy: () => void
  /** Called once when the connection is gone, whoever closed it. */
  onClose: (listener: () => void) => void
}

export interface Hub {
  /** False when the listener of this role has its most live streams already. */
  hasRoom: (role: Role) => boolean
  /** Starts a client with `first` (hello, state) and what it missed after lastEventId; false when full. */
  connect: (role: Role, sink: Sink, first: { event: string, data: unknown }[], lastEventId?: string) => boolean
  /** Sends to everyone. Messages (message, update, hide) get an id and are replayable; the id is returned. */
  publish: (event: string, data: unknown) => string | undefined
  readonly size: number
  closeAll: () => void
}

/** Events a reconnecting client must not miss; the others (slide, queue, audience) are state, sent on connect. */
const REPLAYED = new Set(['message', 'update', 'hide'])

interface Client {
  role: Role
  sink: Sink
}

interface Kept {
  seq: number
  bytes: Uint8Array
}

const encoder = new TextEncoder()
const frame = (event: string, data: string, id?: string) => encoder.encode(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${data}\n\n`)

export function createHub(options: Partial<HubOptions> = {}): Hub {
  const o = { ...DEFAULT_HUB_OPTIONS, ...options }
  // Ids are "<epoch>-<seq>": the epoch changes with every start, so an id from another pod means "reset".
  const epoch = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`
  let seq = 0
  const clients = new Set<Client>()
  const kept: Kept[] = []
  let keptBytes = 0
  const retry = encoder.encode('retry: 2000\n\n')
  const keepAlive = encoder.encode(': keep-alive\n\n')

  // A client leaves the set here; its count goes down when its connection closes (onClose).
  const drop = (client: Client, slow: boolean) => {
    if (!clients.delete(client))
      return
    if (slow) {
      client.sink.destroy()
      o.onDrop?.(client.role)
    }
    else {
      client.sink.end()
    }
  }

  const send = (client: Client, bytes: Uint8Array) => {
    const queued = client.sink.buffered
    // An empty queue always takes the next event, however large: one event never drops a reader.
    if (queued > 0 && queued + bytes.byteLength > o.bufferBytes)
      return drop(client, true)
    client.sink.write(bytes)
  }

  /** The kept events after lastEventId, or undefined when they are not all kept (another epoch, too old, nonsense). */
  const missed = (lastEventId: string): Kept[] | undefined => {
    const match = /^([a-z0-9]+)-(\d{1,15})$/.exec(lastEventId)
    if (!match || match[1] !== epoch)
      return undefined
    const last = Number(match[2])
    if (last > seq)
      return undefined
    if (last === seq)
      return []
    const oldest = kept[0]?.seq ?? seq + 1
    if (last + 1 < oldest)
      return undefined
    return kept.filter(k => k.seq > last)
  }

  const counts = { speaker: 0, audience: 0 }
  const hasRoom = (role: Role) => counts[role] < (role === 'speaker' ? o.maxSpeakerClients : o.maxAudienceClients)

  const timer = setInterval(() => {
    for (const client of clients) send(client, keepAlive)
  }, o.keepAliveMs)
  timer.unref()

  return {
    hasRoom,
    connect(role, sink, first, lastEventId) {
      if (!hasRoom(role))
        return false
      const client: Client = { role, sink }
      sink.write(retry)
      for (const { event, data } of first) sink.write(frame(event, JSON.stringify(data)))
      if (lastEventId !== undefined) {
        const replay = missed(lastEventId)
        if (replay) {
          for (const k of replay) sink.write(k.bytes)
        }
        else {
          sink.write(frame('reset', JSON.stringify({ reason: 'missed too much: load the latest messages' })))
        }
      }
      clients.add(client)
      counts[role]++
      sink.onClose(() => {
        clients.delete(client)
        counts[role]--
      })
      return true
    },
    publish(event, data) {
      const replayed = REPLAYED.has(event)
      const id = replayed ? `${epoch}-${++seq}` : undefined
      const bytes = frame(event, JSON.stringify(data), id)
      if (replayed) {
        kept.push({ seq, bytes })
        keptBytes += bytes.byteLength
        while (kept.length > o.replayEvents || (keptBytes > o.replayBytes && kept.length > 1)) keptBytes -= kept.shift()?.bytes.byteLength ?? 0
      }
      for (const client of clients) send(client, bytes)
      return id
    },
    get size() {
      return clients.size
    },
    closeAll() {
      clearInterval(timer)
      for (const client of [...clients]) drop(client, false)
    },
  }
}
