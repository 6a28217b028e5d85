import type { DeckServer } from '../../tools/static-server.ts'
import { Buffer } from 'node:buffer'
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { repoRoot } from '../../tools/deck.ts'
import { floorSlides, headmatter } from '../../tools/floor-deck.ts'
import { BUDGETS, floorRatios, HEAVY_PARTS, heavyFiles, siteSize } from '../../tools/measure.ts'
import { serveDeck } from '../../tools/static-server.ts'

// `npm run bench`'s pieces: the GitHub-Pages-like server, the site's weight, the recognition of heavy parts, the
// floor deck, the command line. The first slide's bytes against the floor's are measured in
// test/browser/first-slide.test.ts; its paint time is the bench's to print (a timing, not a test).

function site(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-site-'))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return dir
}

function get(url: string, headers: Record<string, string> = {}, agent?: Agent): Promise<{ status: number, headers: Record<string, unknown>, body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers, agent }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', chunk => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }))
    }).on('error', reject).end()
  })
}

const servers: DeckServer[] = []
afterEach(async () => {
  for (const server of servers.splice(0))
    await server.stop()
})

describe('the bench\'s static server (like GitHub Pages)', () => {
  const script = 'console.log("slide one");'.repeat(50)
  const dir = site({ 'index.html': '<!doctype html><p>deck</p>', '404.html': '<p>not found</p>', 'assets/app.js': script, 'pwa/icon.png': Buffer.from([0x89, 0x50, 0x4E, 0x47]) })

  it('serves files under the base path, gzip for text when asked, pictures as they are', async () => {
    const server = await serveDeck(dir, '/deck/')
    servers.push(server)
    const zipped = await get(`${server.url}assets/app.js`, { 'accept-encoding': 'gzip, br' })
    expect(zipped.status).toBe(200)
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.headers['content-type']).toMatch(/^text\/javascript/)
    expect(gunzipSync(zipped.body).toString()).toBe(script)
    expect(zipped.body.length).toBeLessThan(script.length)
    const plain = await get(`${server.url}assets/app.js`)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString()).toBe(script)
    const picture = await get(`${server.url}pwa/icon.png`, { 'accept-encoding': 'gzip' })
    expect(picture.headers['content-encoding']).toBeUndefined()
    expect(picture.body).toEqual(Buffer.from([0x89, 0x50, 0x4E, 0x47]))
    expect((await get(server.url)).body.toString()).toContain('deck')
    expect(server.requests).toEqual(['/deck/assets/app.js', '/deck/assets/app.js', '/deck/pwa/icon.png', '/deck/'])
  })

  it('answers unknown paths with 404.html and paths outside the base with 404', async () => {
    const server = await serveDeck(dir, '/deck/')
    servers.push(server)
    const missing = await get(`${server.url}nothing-here`)
    expect(missing.status).toBe(404)
    expect(missing.body.toString()).toContain('not found')
    expect((await get(server.url.replace('/deck/', '/elsewhere/'))).status).toBe(404)
    expect((await get(`${server.url}../../etc/passwd`)).status).toBe(404)
  })

  it('stops at once, even with a browser\'s keep-alive connection open, and then refuses connections', async () => {
    const server = await serveDeck(dir, '/deck/')
    const agent = new Agent({ keepAlive: true })
    expect((await get(server.url, {}, agent)).status).toBe(200)
    await server.stop()
    await expect(get(server.url, {}, agent)).rejects.toThrow()
    agent.destroy()
  })
})

describe('the site\'s weight', () => {
  it('counts every file, its gzip size, and what sw.js precaches (minified or not)', () => {
    const big = 'x'.repeat(1000)
    const dir = site({
      'index.html': big,
      'assets/a.js': big,
      'assets/b.js': 'b',
      'sw.js': 'precacheAndRoute([{url:"index.html",revision:"1"},{"url": "assets/a.js", "revision": null}])',
    })
    const size = siteSize(dir)
    expect(size.files).toBe(4)
    expect(size.bytes).toBe(2000 + 1 + readFileSync(join(dir, 'sw.js')).length)
    expect(size.precache.entries).toBe(2)
    expect(size.precache.bytes).toBe(2000)
    expect(size.precache.gzipBytes).toBe(2 * gzipSync(big, { level: 6 }).length)
  })
})

describe('heavy parts', () => {
  it('are recognised in a built file by a string of their library', () => {
    const dir = site({ 'assets/diagram.js': 'var x={mermaidAPI:1}', 'assets/slide.js': 'console.log("mermaid is mentioned, but not its code")' })
    expect(heavyFiles(dir)).toEqual(new Map([['assets/diagram.js', ['mermaid']]]))
  })

  it('each recognising string really is in its library (so the check cannot go blind after an update)', () => {
    const library: Record<string, string> = {
      'mermaid': 'node_modules/mermaid/dist/mermaid.core.mjs',
      'xterm.js': 'node_modules/@xterm/xterm/lib/xterm.mjs',
      'asciinema-player': 'node_modules/asciinema-player/dist/bundle/asciinema-player.min.js',
      'QR code generator (qrcode)': 'node_modules/qrcode/lib/core/qrcode.js',
      'Shiki highlighter engine': 'node_modules/@shikijs/types/dist/index.mjs',
    }
    expect(Object.keys(library).sort()).toEqual(HEAVY_PARTS.map(part => part.name).sort())
    for (const part of HEAVY_PARTS)
      expect(readFileSync(join(repoRoot, library[part.name]), 'utf8'), part.name).toMatch(part.pattern)
  })
})

describe('npm run bench', () => {
  it('is bench/bench.ts, next to the chat\'s own benchmark it reads', () => {
    const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
    expect(scripts.bench).toBe('node bench/bench.ts')
    expect(scripts['bench:chat']).toBe('node chat-demo/app/bench/bench.ts')
  })

  it('states the first slide\'s budgets as ratios to the floor deck, ≤ 1.1× in gzip bytes and in paint time', () => {
    expect(BUDGETS).toEqual({ firstSlideGzipRatio: 1.1, firstSlidePaintRatio: 1.1, foreignRequests: 0, readingFirstScreenRatio: 1.5, pdfMB: 5 })
  })

  it('prints its usage with --help and rejects a wrong --runs with exit code 2', async () => {
    const bench = join(repoRoot, 'bench/bench.ts')
    const { stdout } = await promisify(execFile)(process.execPath, [bench, '--help'])
    expect(stdout).toContain('Usage: npm run bench')
    const failure = await promisify(execFile)(process.execPath, [bench, '--runs', '0']).catch(error => error)
    expect(failure.code).toBe(2)
    expect(failure.stderr).toContain('--runs')
  })
})

describe('the ratios to the floor', () => {
  const load = (paintedMs: number, gzipBytes: number) => ({ paintedMs, beforePaint: [{ url: 'http://x/a.js', status: 200, transferBytes: gzipBytes, gzipBytes, bodyBytes: gzipBytes, finishedMs: 0 }], all: [], foreign: [] })

  it('divide the median gzip bytes, and take the paint time round by round, so a busy round slows both sides alike', () => {
    const floor = [load(1000, 200), load(4000, 200), load(1000, 200)]
    const deck = [load(1050, 220), load(4400, 220), load(1200, 220)]
    // The medians alone would say 1200 / 1000; each round's ratio: 1.05, 1.1, 1.2
    expect(floorRatios(deck, floor)).toEqual({ gzipBytes: 1.1, paintedMs: 1.1 })
  })
})

describe('the floor deck', () => {
  const slidesMd = readFileSync(join(repoRoot, 'slides.md'), 'utf8')

  it('has slides.md\'s headmatter as written, and three plain slides', () => {
    const floor = floorSlides(headmatter(slidesMd))
    expect(floor.startsWith(`---\n${headmatter(slidesMd)}\n---\n`)).toBe(true)
    expect(headmatter(slidesMd)).toMatch(/^theme: /m)
    const slides = floor.slice(floor.indexOf('\n---\n') + 5).split(/\n---\n/)
    expect(slides).toHaveLength(3)
    for (const slide of slides)
      expect(slide).toMatch(/^\s*# [\w ]+\n\n[\w ]+\n$/)
  })

  it('refuses a deck without headmatter', () => {
    expect(() => headmatter('# Just a slide\n')).toThrow(/headmatter/)
  })
})
