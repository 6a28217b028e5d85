// The measurements behind `npm run bench` (bench/bench.ts), also used by the audience tests: build the deck,
// weigh the built site, load its first slide in Chromium (optionally under mobile throttling), start the dev
// server cold, export the PDF. Every figure comes from a real run; the budgets live here, not in the tests.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { join, relative, resolve } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { Browser, BrowserContextOptions } from 'playwright-core'

export const repoRoot = resolve(import.meta.dirname, '..')
const slidevBin = join(repoRoot, 'node_modules/.bin/slidev')

/** The deck's base path on GitHub Pages, from project.json's deckUrl (as vite.config.ts computes it). */
export const deckBase = new URL(JSON.parse(readFileSync(join(repoRoot, 'project.json'), 'utf8')).deckUrl).pathname

/** A phone on conference Wi-Fi: Chromium's CDP network and CPU emulation. */
export const THROTTLE = { downloadKbps: 1600, uploadKbps: 750, rttMs: 150, cpuSlowdown: 4 }

/** The phone the audience holds: 390×844 CSS pixels, touch, portrait. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
}

export const BUDGETS = {
  /** Bytes over the wire (gzip, as GitHub Pages serves them) until the first slide is painted */
  firstSlideKiB: 250,
  /** Time until the first slide is painted, throttled */
  firstSlideMs: 2500,
  /** Requests to any host other than the deck's own, while the first slide loads and the rest preloads */
  foreignRequests: 0,
  /** The reading view's first screen (#/read), throttled, over the slides view's first slide in the same runs */
  readingFirstScreenRatio: 1.5,
  /** The exported PDF */
  pdfMB: 5,
} as const

/**
 * What must stay off the first slide: each part is recognised by a string only its library's code contains and
 * that minification keeps (a string or property name), so the check doesn't depend on how chunks are named.
 */
export const HEAVY_PARTS: { name: string, pattern: RegExp }[] = [
  { name: 'mermaid', pattern: /mermaidAPI/ },
  { name: 'xterm.js', pattern: /xterm-helper-textarea/ },
  { name: 'asciinema-player', pattern: /ap-overlay/ },
  { name: 'QR code generator (qrcode)', pattern: /No input text/ },
  // Shiki's error class name, set as a string, survives minification; the function names, in unminified builds
  { name: 'Shiki highlighter engine', pattern: /"ShikiError"|'ShikiError'|createHighlighter|createOnigurumaEngine/ },
]

export function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0)
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)])
}

/** A TCP port of 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>(done => probe.listen(0, '127.0.0.1', done))
  const { port } = probe.address() as AddressInfo
  await new Promise(done => probe.close(done))
  return port
}

/** Runs a program to its end; rejects with its output when it fails. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv, quiet?: boolean } = {}): Promise<{ ms: number, output: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: repoRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk
      if (!options.quiet)
        process.stderr.write(chunk)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - started
      if (code === 0)
        resolvePromise({ ms, output })
      else
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${output.slice(-4000)}`))
    })
  })
}

/** `slidev build --out OUT`, timed. */
export async function buildDeck(out: string, options: { quiet?: boolean } = {}): Promise<{ ms: number }> {
  const { ms } = await run(slidevBin, ['build', '--out', out], { quiet: options.quiet ?? true })
  return { ms }
}

export interface SiteSize {
  files: number
  bytes: number
  gzipBytes: number
  /** What the service worker downloads after the first visit to make the deck work offline */
  precache: { entries: number, bytes: number, gzipBytes: number }
}

/** An entry of the precache list in sw.js, minified (`url:"…"`) or not (`"url": "…"`, a build with NODE_ENV=test). */
export const PRECACHE_URL = /["']?\burl["']?\s*:\s*["']([^"']+)["']/g

/** The built site's size, and the part of it the service worker precaches (sw.js's list). */
export function siteSize(dir: string): SiteSize {
  const files = walk(dir)
  const gzip = (file: string) => gzipSync(readFileSync(file), { level: 6 }).length
  const precacheUrls = existsSync(join(dir, 'sw.js'))
    ? [...readFileSync(join(dir, 'sw.js'), 'utf8').matchAll(PRECACHE_URL)].map(match => match[1])
    : []
  const precacheFiles = precacheUrls.map(url => join(dir, url)).filter(file => existsSync(file))
  return {
    files: files.length,
    bytes: sum(files.map(file => statSync(file).size)),
    gzipBytes: sum(files.map(gzip)),
    precache: {
      entries: precacheUrls.length,
      bytes: sum(precacheFiles.map(file => statSync(file).size)),
      gzipBytes: sum(precacheFiles.map(gzip)),
    },
  }
}

/** For each JavaScript file of the built site (path relative to it): the heavy parts its code contains. */
export function heavyFiles(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>()
  for (const file of walk(dir).filter(name => name.endsWith('.js'))) {
    const code = readFileSync(file, 'utf8')
    const parts = HEAVY_PARTS.filter(part => part.pattern.test(code)).map(part => part.name)
    if (parts.length)
      found.set(relative(dir, file), parts)
  }
  return found
}

export interface LoadedRequest {
  url: string
  status: number
  /** Bytes on the wire: headers and the (gzip) body as sent */
  transferBytes: number
  /** The body as sent: gzip-compressed for text, as GitHub Pages serves it */
  gzipBytes: number
  /** The body's size after decompression */
  bodyBytes: number
  /** Milliseconds from the navigation's start until the response was complete */
  finishedMs: number
  failed?: string
}

export interface FirstSlideLoad {
  /** Milliseconds from navigation start until slide 1 (with its pictures) was painted */
  paintedMs: number
  /** The requests that were complete when slide 1 was painted: what its first view cost */
  beforePaint: LoadedRequest[]
  /** Every request seen, until `settleMs` after the paint (Slidev preloads the other slides after 3 s) */
  all: LoadedRequest[]
  /** Requests to any other host than the deck's (data: and blob: URLs don't count) */
  foreign: string[]
}

/** What is on screen first: slide 1 of the slides view (#/1), or the reading view's first screen (#/read). */
export type FirstScreen = 'slide' | 'reading'

/** In the page: is the first screen there? Slide 1's layout with every picture loaded; in the reading view,
 * every section that starts on the screen drawn (not a placeholder) with its pictures. */
const SCREEN_READY: Record<FirstScreen, string> = {
  slide: `() => {
    const slide = document.querySelector('.slidev-page-1 .slidev-layout')
    return !!slide && [...document.querySelectorAll('.slidev-page-1 img')].every(img => img.complete && img.naturalWidth > 0)
  }`,
  reading: `() => {
    const shown = [...document.querySelectorAll('.kop-reading-section')].filter(section => section.getBoundingClientRect().top < innerHeight)
    return shown.length > 0 && shown.every(section => section.querySelector('.slidev-layout')
      && [...section.querySelectorAll('img')].every(img => img.complete && img.naturalWidth > 0))
  }`,
}

/** Records in the page when the first screen is there, one frame later. */
const paintProbe = (screen: FirstScreen) => `(() => {
  const ready = ${SCREEN_READY[screen]}
  const tick = () => ready() ? requestAnimationFrame(() => { window.__kopFirstSlidePainted = performance.now() }) : requestAnimationFrame(tick)
  requestAnimationFrame(tick)
})()`

/**
 * Opens the deck at `url` (`…#/1`, or `…#/read` with `screen: 'reading'`) in a fresh phone context, with an
 * empty cache, and measures its first screen: time until painted and the requests finished by then. With
 * `throttle`, under THROTTLE.
 */
export async function loadFirstSlide(browser: Browser, url: string, options: { throttle: boolean, settleMs?: number, screen?: FirstScreen }): Promise<FirstSlideLoad> {
  const context = await browser.newContext(PHONE)
  try {
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Network.enable')
    if (options.throttle) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: THROTTLE.rttMs,
        downloadThroughput: (THROTTLE.downloadKbps * 1000) / 8,
        uploadThroughput: (THROTTLE.uploadKbps * 1000) / 8,
      })
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE.cpuSlowdown })
    }
    let navigationStart: number | undefined
    const requests = new Map<string, LoadedRequest>()
    cdp.on('Network.requestWillBeSent', (event) => {
      navigationStart ??= event.timestamp
      requests.set(event.requestId, { url: event.request.url, status: 0, transferBytes: 0, gzipBytes: 0, bodyBytes: 0, finishedMs: Number.POSITIVE_INFINITY })
    })
    const headerBytes = new Map<string, number>()
    cdp.on('Network.responseReceived', (event) => {
      const request = requests.get(event.requestId)
      if (request)
        request.status = event.response.status
      headerBytes.set(event.requestId, event.response.encodedDataLength)
    })
    cdp.on('Network.dataReceived', (event) => {
      const request = requests.get(event.requestId)
      if (request)
        request.bodyBytes += event.dataLength
    })
    cdp.on('Network.loadingFinished', (event) => {
      const request = requests.get(event.requestId)
      if (request) {
        request.transferBytes = event.encodedDataLength
        request.gzipBytes = Math.max(0, event.encodedDataLength - (headerBytes.get(event.requestId) ?? 0))
        request.finishedMs = (event.timestamp - navigationStart!) * 1000
      }
    })
    cdp.on('Network.loadingFailed', (event) => {
      const request = requests.get(event.requestId)
      if (request) {
        request.failed = event.errorText
        request.finishedMs = (event.timestamp - navigationStart!) * 1000
      }
    })
    await page.addInitScript(paintProbe(options.screen ?? 'slide'))
    await page.goto(url)
    const handle = await page.waitForFunction(() => (window as { __kopFirstSlidePainted?: number }).__kopFirstSlidePainted, undefined, { timeout: 120_000, polling: 100 })
    const paintedMs = Number(await handle.jsonValue())
    await page.waitForTimeout(options.settleMs ?? 0)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
    const origin = new URL(url).origin
    const all = [...requests.values()]
    return {
      paintedMs,
      beforePaint: all.filter(request => request.finishedMs <= paintedMs),
      all,
      foreign: all.map(request => request.url).filter((address) => {
        const parsed = new URL(address)
        return !['data:', 'blob:'].includes(parsed.protocol) && parsed.origin !== origin
      }),
    }
  }
  finally {
    await context.close()
  }
}

/** Starts a process and resolves once `ready` matches its output; the caller stops it. */
function startProcess(command: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const started = new Promise<void>((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      if (ready.test(output))
        resolvePromise()
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', code => reject(new Error(`${command} exited with ${code} before it was ready:\n${output.slice(-3000)}`)))
  })
  const stop = () => new Promise<void>((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolvePromise()
    child.once('exit', () => resolvePromise())
    child.kill('SIGTERM')
  })
  return { child, started, stop }
}

/**
 * The dev server from its start to the first slide rendered in Chromium (no throttling), with Vite's
 * dependency cache in `cacheDir`: an empty folder makes it a cold start (nothing pre-bundled, nothing cached);
 * the same folder again, a warm one. bench/dev-server.ts runs Slidev with that cache, so the shared
 * node_modules/.vite of other running dev servers is left alone.
 */
export async function devServerStart(browser: Browser, port: number, cacheDir: string): Promise<{ ms: number }> {
  const started = performance.now()
  const server = startProcess(process.execPath, [join(repoRoot, 'bench/dev-server.ts'), String(port), cacheDir], /listening on/)
  try {
    await server.started
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${port}/`, { timeout: 300_000 })
    await page.waitForSelector('.slidev-page-1 .slidev-layout', { timeout: 300_000 })
    const ms = performance.now() - started
    await page.close()
    return { ms }
  }
  finally {
    await server.stop()
  }
}

/** `npm run export` (scripts/export.ts) into `output`, timed; its size and page count. */
export async function exportPdf(output: string): Promise<{ ms: number, bytes: number, pages: number }> {
  const { ms } = await run(process.execPath, [join(repoRoot, 'scripts/export.ts'), '--output', output], { quiet: true })
  const { PDFDocument } = await import('pdf-lib')
  const pdf = await PDFDocument.load(readFileSync(output), { updateMetadata: false })
  return { ms, bytes: statSync(output).size, pages: pdf.getPageCount() }
}
