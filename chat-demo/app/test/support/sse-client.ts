// A small server-sent-events reader over fetch (Node has no EventSource without a flag).
export interface SseEvent {
  event: string
  data: string
  id?: string
}

export interface SseClient {
  events: SseEvent[]
  /** Resolves with the first event (already received or coming) that matches. */
  waitFor: (match: (e: SseEvent) => boolean, timeoutMs?: number) => Promise<SseEvent>
  close: () => void
}

export async function openEvents(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController()
  const response = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream', ...headers } })
  if (!response.ok || !response.body)
    throw new Error(`event stream answered ${response.status}`)
  const events: SseEvent[] = []
  const waiters = new Set<() => void>()
  void (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true })
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event: SseEvent = { event: 'message', data: '' }
          const data: string[] = []
          for (const line of frame.split('\n')) {
            if (line.startsWith(':'))
              continue
            const colon = line.indexOf(':')
            const field = colon < 0 ? line : line.slice(0, colon)
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
            if (field === 'event')
              event.event = value
            else if (field === 'data')
              data.push(value)
            else if (field === 'id')
              event.id = value
          }
          if (data.length === 0)
            continue
          event.data = data.join('\n')
          events.push(event)
          for (const wake of waiters) wake()
        }
      }
    }
    catch {
      // closed
    }
  })()
  return {
    events,
    waitFor(match, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.map(e => e.event))}`))
        }, timeoutMs)
        function check() {
          const found = events.find(match)
          if (!found)
            return false
          waiters.delete(check)
          clearTimeout(timer)
          resolve(found)
          return true
        }
        if (!check())
          waiters.add(check)
      })
    },
    close: () => controller.abort(),
  }
}
