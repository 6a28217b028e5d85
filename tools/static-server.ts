import type { Buffer } from 'node:buffer'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { extname, join, normalize } from 'node:path'
import { gzipSync } from 'node:zlib'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.cast': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
}
/** What GitHub Pages compresses: text, not already-compressed pictures and fonts. */
const COMPRESSED = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest', '.cast', '.txt'])

export interface DeckServer {
  /** The deck's address, ending in the base path, e.g. http://127.0.0.1:41234/k3s-on-phone-demo/ */
  url: string
  /** Every path asked for since the start, in order (for tests that check what was fetched). */
  requests: string[]
  /** Stops listening and drops open connections at once (a browser's keep-alive connections included). */
  stop: () => Promise<void>
}

/**
 * Serves a built deck from `dir` under `base` the way GitHub Pages does: files as they are, gzip for text when
 * the browser accepts it, 404.html (a copy of index.html) for unknown paths, and a short max-age.
 */
export async function serveDeck(dir: string, base: string, port = 0): Promise<DeckServer> {
  const gzipped = new Map<string, Buffer>()
  const requests: string[] = []
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)
    requests.push(path)
    if (!path.startsWith(base)) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('outside the base path')
      return
    }
    let file = normalize(join(dir, path.slice(base.length)))
    if (file.startsWith(dir) && existsSync(file) && statSync(file).isDirectory())
      file = join(file, 'index.html')
    const found = file.startsWith(dir) && existsSync(file) && statSync(file).isFile()
    const target = found ? file : join(dir, '404.html')
    const extension = extname(target)
    const headers: Record<string, string> = {
      'content-type': TYPES[extension] ?? 'application/octet-stream',
      'cache-control': 'max-age=600',
    }
    let body: Buffer = readFileSync(target)
    if (COMPRESSED.has(extension) && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      let zipped = gzipped.get(target)
      if (!zipped) {
        zipped = gzipSync(body, { level: 6 })
        gzipped.set(target, zipped)
      }
      body = zipped
      headers['content-encoding'] = 'gzip'
      headers.vary = 'Accept-Encoding'
    }
    headers['content-length'] = String(body.length)
    response.writeHead(found ? 200 : 404, headers).end(request.method === 'HEAD' ? undefined : body)
  })
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}${base}`,
    requests,
    stop: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
