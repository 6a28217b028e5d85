import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.cast': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * Serves a built deck from `dir` under `base` (e.g. /k3s-on-phone-demo/) on 127.0.0.1 the way GitHub Pages
 * does: files as they are, 404.html for anything else (Slidev writes it as a copy of index.html).
 */
export async function serveStatic(dir: string, base: string): Promise<{ url: string, close: () => Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)
    if (!path.startsWith(base)) {
      response.writeHead(404).end('outside the base path')
      return
    }
    const file = normalize(join(dir, path.slice(base.length)))
    const found = file.startsWith(dir) && existsSync(file) && statSync(file).isFile()
    const target = found ? file : existsSync(join(file, 'index.html')) ? join(file, 'index.html') : join(dir, '404.html')
    response.writeHead(found || target.endsWith('index.html') ? 200 : 404, {
      'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
    })
    createReadStream(target).pipe(response)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${base}`,
    close: () => new Promise(resolve => server.close(() => resolve())),
  }
}
