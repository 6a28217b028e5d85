// Cross-site request forgery: a browser always sends Origin with a POST or PUT, and a page can't fake
// it. A write is allowed without Origin (curl, scripts) or from the page's own origin, i.e. the host
// the request was sent to (behind the funnel: the public name, which tailscale passes on as Host).
import type { Context } from 'hono'

export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin')
  if (origin === undefined) return true
  const host = c.req.header('host')
  if (!host) return false
  try {
    return new URL(origin).host === host.toLowerCase()
  } catch {
    return false // "null" (a sandboxed frame, a file) and anything else that isn't a URL
  }
}
