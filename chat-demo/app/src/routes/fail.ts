// Every error answer has the same shape: {error, pod, node}.
import type { Context } from 'hono'

export type FailStatus = 400 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503
export type Fail = (c: Context, status: FailStatus, error: string) => Response

export function createFail(who: { pod: string, node: string }): Fail {
  return (c, status, error) => c.json({ error, ...who }, status)
}
