// Token buckets keyed by sender or address: `capacity` at once, refilled at `perMinute`. At most
// maxKeys buckets are kept (the least recently used go first), so a crowd of ids can't grow memory.
export interface Buckets {
  /** Takes one token; answers the seconds to wait when there is none. */
  take: (key: string) => { ok: true } | { ok: false, retryAfterSeconds: number }
  readonly size: number
}

export function createBuckets(options: { capacity: number, perMinute: number, maxKeys?: number, now?: () => number }): Buckets {
  const { capacity, perMinute } = options
  const maxKeys = options.maxKeys ?? 20_000
  const now = options.now ?? (() => performance.now())
  const perMs = perMinute / 60_000
  const buckets = new Map<string, { tokens: number, at: number }>()
  return {
    take(key) {
      const t = now()
      const found = buckets.get(key)
      const bucket = found ?? { tokens: capacity, at: t }
      bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * perMs)
      bucket.at = t
      // Re-inserting keeps the Map in least-recently-used order.
      buckets.delete(key)
      buckets.set(key, bucket)
      if (buckets.size > maxKeys)
        buckets.delete(buckets.keys().next().value as string)
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return { ok: true }
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) }
    },
    get size() {
      return buckets.size
    },
  }
}
