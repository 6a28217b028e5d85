/**
 * The live demos' rules (test/live-demo/guard.test.ts): when the dev server may offer them at all, which
 * pages may use them, and which scripts a page may run. Running scripts from a web page is dangerous, so
 * every rule is explicit:
 *   - Only when the dev server listens on loopback (not under `slidev --remote`/`--tunnel` or another
 *     host), unless LIVE_DEMO_REMOTE_ORIGIN names the exact extra origin(s) to allow (comma-separated).
 *   - Never while exporting (`slidev export` starts a dev server too): the PDF shows recordings.
 *   - A page must come from an exact allowed Origin, with a Host to match (no DNS rebinding), and show
 *     the per-start random token (live-demo/node/plugin.ts hands it out and checks it).
 *   - A page names a script; it must be a *.sh file whose real path (links followed) lies inside one of
 *     the script folders (echo-demo/scripts, chat-demo/scripts).
 */
import type { ResolvedConfig } from 'vite'
import { Buffer } from 'node:buffer'
import { timingSafeEqual } from 'node:crypto'
import { readdirSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { demoFolders } from '../../demos.ts'

export const DEFAULT_SCRIPT_DIRS = demoFolders('scripts')
export const REMOTE_ORIGIN_ENV = 'LIVE_DEMO_REMOTE_ORIGIN'

/** How Slidev started this server: `dev` (slidev), `export` (slidev export) or `vite` (plain Vite, tests). */
export type ServeMode = 'dev' | 'export' | 'vite'

/** Slidev defines __DEV__ as "true" only in `slidev` dev mode; `slidev export` sets it to "false". */
export function serveModeOf(config: Pick<ResolvedConfig, 'define'>): ServeMode {
  const flag = config.define?.__DEV__
  return flag === undefined ? 'vite' : flag === 'true' || flag === true ? 'dev' : 'export'
}

export function isLoopbackHost(host: string | boolean | undefined): boolean {
  if (host === undefined || host === false)
    return true // Vite's default: localhost
  if (host === true)
    return false // all interfaces
  const name = host.replace(/^\[|\]$/g, '').toLowerCase()
  return name === 'localhost' || isLoopbackAddress(name)
}

export function isLoopbackAddress(address: string): boolean {
  const ip = address.replace(/^::ffff:/i, '')
  return /^127(?:\.\d{1,3}){3}$/.test(ip) || ip === '::1' || ip === '0:0:0:0:0:0:0:1'
}

/** The origins named in LIVE_DEMO_REMOTE_ORIGIN (comma-separated); each must be a plain http(s) origin. */
export function remoteOrigins(env: Record<string, string | undefined>): string[] {
  const value = env[REMOTE_ORIGIN_ENV]?.trim()
  if (!value)
    return []
  return value.split(',').map(s => s.trim()).filter(Boolean).map((origin) => {
    const url = URL.canParse(origin) ? new URL(origin) : undefined
    if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, ''))
      throw new Error(`${REMOTE_ORIGIN_ENV}: "${origin}" is not an origin like http://laptop.example:3030`)
    return url.origin
  })
}

export interface ServeFacts {
  mode: ServeMode
  /** server.host from the resolved config */
  host: string | boolean | undefined
  argv: string[]
  env: Record<string, string | undefined>
}

/** Why live demos must stay off for this server, or undefined when they may run. */
export function refusalReason(facts: ServeFacts): string | undefined {
  if (facts.mode === 'export')
    return 'live demos are off while exporting (slidev export): the PDF shows the recordings instead'
  const allowed = remoteOrigins(facts.env).length > 0
  const remoteFlag = facts.argv.find(arg => /^--(?:remote|tunnel)(?:=|$)/.test(arg))
  if (remoteFlag && !allowed) {
    return `live demos are off: the deck runs with ${remoteFlag.split('=')[0]}, so other machines can reach it, `
      + `and a live demo runs scripts on this laptop. Start it without ${remoteFlag.split('=')[0]}, or allow one exact origin: `
      + `${REMOTE_ORIGIN_ENV}=http://HOST:PORT`
  }
  if (!isLoopbackHost(facts.host) && !allowed) {
    return `live demos are off: the dev server listens on ${String(facts.host === true ? 'all interfaces' : facts.host)}, `
      + `not only on this machine. Use the default (localhost), or allow one exact origin: ${REMOTE_ORIGIN_ENV}=http://HOST:PORT`
  }
  return undefined
}

/** The exact origins a page may come from: this server on loopback, plus the explicitly allowed ones. */
export function allowedOrigins(port: number, https: boolean, env: Record<string, string | undefined>): string[] {
  const scheme = https ? 'https' : 'http'
  return [...['localhost', '127.0.0.1', '[::1]'].map(host => `${scheme}://${host}:${port}`), ...remoteOrigins(env)]
}

export function sameToken(given: string | null | undefined, expected: string): boolean {
  if (!given)
    return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Checks a request's Origin and Host headers against the allowed origins; returns the reason to refuse. */
export function originProblem(headers: { origin?: string, host?: string }, origins: string[]): string | undefined {
  if (!headers.origin)
    return 'no Origin header'
  if (!origins.includes(headers.origin))
    return `origin ${headers.origin} is not allowed`
  const hosts = origins.map(origin => new URL(origin).host)
  if (!headers.host || !hosts.includes(headers.host.toLowerCase()))
    return `host ${headers.host ?? '(none)'} is not allowed`
  if (new URL(headers.origin).host !== headers.host.toLowerCase())
    return 'origin and host differ'
  return undefined
}

/**
 * Resolves a script name a client sent (e.g. "echo-demo/scripts/03-deploy-echo.sh") to its real path, or
 * throws: only relative names without `..`, and only regular files whose real path lies inside the real
 * path of one of `dirs` — a link pointing out of them is refused.
 */
export function resolveScript(root: string, dirs: string[], name: unknown): string {
  if (typeof name !== 'string' || !name || name.length > 300 || name.includes('\0'))
    throw new Error('script name missing or malformed')
  if (isAbsolute(name) || name.startsWith('~'))
    throw new Error(`script name must be relative to the repository: ${name}`)
  if (name.split(/[\\/]/).includes('..'))
    throw new Error(`script name must not contain "..": ${name}`)
  if (!name.endsWith('.sh'))
    throw new Error(`only shell scripts (*.sh) run: ${name}`)
  let real: string
  try {
    real = realpathSync(resolve(root, name))
  }
  catch {
    throw new Error(`no such script: ${name}`)
  }
  const inside = dirs.some((dir) => {
    let realDir: string
    try {
      realDir = realpathSync(resolve(root, dir))
    }
    catch {
      return false
    }
    const rel = relative(realDir, real)
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)
  })
  if (!inside)
    throw new Error(`not a demo script (only files in ${dirs.join(', ')} may run): ${name}`)
  if (!statSync(real).isFile())
    throw new Error(`not a file: ${name}`)
  return real
}

/** The scripts a slide may run, as names relative to root (what the run buttons offer). */
export function listScripts(root: string, dirs: string[]): string[] {
  return dirs.flatMap((dir) => {
    let names: string[]
    try {
      names = readdirSync(resolve(root, dir))
    }
    catch {
      return []
    }
    return names.map(name => `${dir.replace(/\/$/, '')}/${name}`).filter((name) => {
      try {
        resolveScript(root, dirs, name)
        return true
      }
      catch {
        return false
      }
    })
  }).sort()
}
