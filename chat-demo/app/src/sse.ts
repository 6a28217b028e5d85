// Server-sent events: every connected browser gets every new or updated message, no polling.
export interface Subscriber {
  send(event: string, data: string, id?: string): Promise<void>
  close(): void
}

export interface Hub {
  /** Returns the function that unsubscribes. */
  subscribe(subscriber: Subscriber): () => void
  publish(event: string, data: unknown, id?: string): void
  readonly size: number
  closeAll(): void
}

export function createHub(): Hub {
  const subscribers = new Set<Subscriber>()
  return {
    subscribe(subscriber) {
      subscribers.add(subscriber)
      return () => subscribers.delete(subscriber)
    },
    publish(event, data, id) {
      const json = JSON.stringify(data)
      for (const subscriber of subscribers) {
        // A browser that went away is dropped; the others are not held up by it.
        subscriber.send(event, json, id).catch(() => {
          subscribers.delete(subscriber)
          subscriber.close()
        })
      }
    },
    get size() {
      return subscribers.size
    },
    closeAll() {
      for (const subscriber of subscribers) subscriber.close()
      subscribers.clear()
    },
  }
}
