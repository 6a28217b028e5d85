// The measurements `npm run bench` (bench/bench.ts) and the tests share: weigh a built site, find the heavy
// parts in it, and load a first slide in Chromium as a phone (optionally under mobile throttling), the deck's
// and the floor's (tools/floor-deck.ts) in turns. Every figure comes from a real run; the budgets live here,
// not in the tests.
import type { Browser, BrowserContextOptions } from 'playwright-core'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'

/** A phone on conference Wi-Fi: Chromium's CDP network and CPU emulation. */
export const THROTTLE = { downloadKbps: 1600, uploadKbps: 750, rttMs: 150, cpuSlowdown: 4 }

/** The phone the audience holds: 390×844 CSS pixels, touch, portrait. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
}

/**
 * The budgets. The first slide's are ratios to the floor deck measured in the same run (three plain slides, the
 * same packages and headmatter): a slower or busier machine slows both alike, so they hold on any machine.
 */
export const BUDGETS = {
  /** Gzip bytes (as GitHub Pages serves them) until the first slide is painted, over the floor's */
  firstSlideGzipRatio: 1.1,
  /** Time until the first slide is painted, throttled, over the floor's (the median of each round's ratio) */
  firstSlidePaintRatio: 1.1,
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

/**
 * In the page: is the first screen there? Slide 1's layout with every picture loaded; in the reading view,
 * every section that starts on the screen drawn (not a placeholder) with its pictures.
 */
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
function paintProbe(screen: FirstScreen) {
  return `(() => {
  const ready = ${SCREEN_READY[screen]}
  const tick = () => ready() ? requestAnimationFrame(() => { window.__kopFirstSlidePainted = performance.now() }) : requestAnimationFrame(tick)
  requestAnimationFrame(tick)
})()`
}

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

/** A first screen's figures: what had arrived when it was painted, and when. */
export function firstScreenFigures(load: FirstSlideLoad) {
  return {
    paintedMs: load.paintedMs,
    requests: load.beforePaint.filter(request => !request.url.startsWith('data:')).length,
    bytes: sum(load.beforePaint.map(request => request.bodyBytes)),
    gzipBytes: sum(load.beforePaint.map(request => request.gzipBytes)),
    wireBytes: sum(load.beforePaint.map(request => request.transferBytes)),
  }
}

export type FirstScreenFigures = ReturnType<typeof firstScreenFigures>

/** The median of each figure over several loads of the same screen. */
export function medianFigures(loads: FirstSlideLoad[]): FirstScreenFigures {
  const figures = loads.map(firstScreenFigures)
  const middle = (key: keyof FirstScreenFigures) => median(figures.map(figure => figure[key]))
  return { paintedMs: middle('paintedMs'), requests: middle('requests'), bytes: middle('bytes'), gzipBytes: middle('gzipBytes'), wireBytes: middle('wireBytes') }
}

/** The screens a round loads, each in a fresh context: the floor's first slide first, then the deck's. */
export interface Round<Name extends string> {
  name: Name
  url: string
  screen?: FirstScreen
}

/**
 * Loads each screen once per round, throttled, for `rounds` rounds in turns (floor, deck, floor, deck…), so a
 * busy moment of the shared machine slows them alike; returns every load by screen name.
 */
export async function loadInTurns<Name extends string>(browser: Browser, screens: Round<Name>[], rounds: number, onRound?: (round: number, loads: Record<Name, FirstSlideLoad>) => void): Promise<Record<Name, FirstSlideLoad[]>> {
  const loads = Object.fromEntries(screens.map(screen => [screen.name, [] as FirstSlideLoad[]])) as Record<Name, FirstSlideLoad[]>
  for (let round = 0; round < rounds; round++) {
    const thisRound = {} as Record<Name, FirstSlideLoad>
    for (const screen of screens) {
      thisRound[screen.name] = await loadFirstSlide(browser, screen.url, { throttle: true, screen: screen.screen })
      loads[screen.name].push(thisRound[screen.name])
    }
    onRound?.(round + 1, thisRound)
  }
  return loads
}

/**
 * The deck's first slide over the floor's, from loads of the same rounds: the gzip bytes until painted (medians),
 * and the paint time as the median of each round's ratio, so a busy moment slows both sides of a ratio alike.
 */
export function floorRatios(deck: FirstSlideLoad[], floor: FirstSlideLoad[]) {
  const ratio = (value: number, base: number) => Math.round((value / base) * 1000) / 1000
  const gzip = (loads: FirstSlideLoad[]) => medianFigures(loads).gzipBytes
  return {
    gzipBytes: ratio(gzip(deck), gzip(floor)),
    paintedMs: ratio(median(deck.map((load, round) => load.paintedMs / floor[round].paintedMs)), 1),
  }
}
