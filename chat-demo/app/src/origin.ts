// Cross-site request forgery: a browser always sends Origin with a POST or PUT, and a page can't fake
// it. A write is allowed without Origin (curl, scripts) or from the page's own origin: the host the
// request was sent to. Behind the funnel that is the public name, which tailscaled's proxy passes on
// in X-Forwarded-Host (a page on another site can't add that header to a simple request).
import type { Context } from 'hono'

export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin')
  if (origin === undefined)
    return true
  const hosts = [c.req.header('host'), c.req.header('x-forwarded-host')].flatMap(h => (h ? [h.trim().toLowerCase()] : []))
  try {
    return hosts.includes(new URL(origin).host)
  }
  catch {
    return false // "null" (a sandboxed frame, a file) and anything else that isn't a URL
  }
}
