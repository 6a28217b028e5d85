import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core'
import type { DeckServer } from '../../tools/static-server.ts'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deckBasePath } from '../../build/project.ts'
import { launchChromium } from '../../tools/chromium.ts'
import { deckSlides } from '../../tools/deck.ts'
import { heavyFiles, loadFirstSlide, PHONE, PRECACHE_URL } from '../../tools/measure.ts'
import { serveDeck } from '../../tools/static-server.ts'
import { builtDeck } from '../support/deck-builds.ts'

// The deck as the audience gets it: built, served like GitHub Pages under its base path, opened on a phone.
// Offline after the first visit (service worker), usable in portrait with touch, heavy parts only where used.

let dist: string
let browser: Browser
let slides: Awaited<ReturnType<typeof deckSlides>> = []
const servers: DeckServer[] = []

/** Slide numbers (1-based, as in the URL) whose Markdown matches `pattern`. */
const slidesWith = (pattern: RegExp) => slides.flatMap((slide, index) => pattern.test(slide.source.raw) ? [index + 1] : [])

async function serve(): Promise<DeckServer> {
  const server = await serveDeck(dist, deckBasePath)
  servers.push(server)
  return server
}

async function showSlide(page: Page, no: number) {
  await page.evaluate(target => (location.hash = `#/${target}`), no)
  await page.waitForSelector(`.slidev-page-${no} .slidev-layout`, { state: 'visible' })
}

async function mermaidRendered(page: Page, no: number) {
  await page.waitForFunction(
    selector => [...document.querySelectorAll(selector)].some(node => node.shadowRoot?.querySelector('svg')),
    `.slidev-page-${no} .mermaid`,
  )
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap(entry => entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)])
}

beforeAll(async () => {
  dist = await builtDeck()
  browser = await launchChromium()
  slides = await deckSlides()
})

afterAll(async () => {
  await browser?.close()
  for (const server of servers)
    await server.stop()
})

describe('the built deck for GitHub Pages', () => {
  it('index.html references nothing on another host, and everything it names exists under the base path', () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8')
    const references = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map(match => match[1])
    expect(references.length).toBeGreaterThan(3)
    expect(html).not.toMatch(/https?:\/\//)
    expect(html).not.toMatch(/(?:src|href)="\/\//)
    for (const reference of references) {
      const path = reference.startsWith(deckBasePath) ? reference.slice(deckBasePath.length) : reference
      expect(reference.startsWith('/') ? reference.startsWith(deckBasePath) : true, reference).toBe(true)
      expect(existsSync(join(dist, path)), `${reference} is in the build`).toBe(true)
    }
  })

  it('has a web app manifest for the base path, with icons that exist', () => {
    const html = readFileSync(join(dist, 'index.html'), 'utf8')
    expect(html).toContain(`<link rel="manifest" href="${deckBasePath}manifest.webmanifest">`)
    const manifest = JSON.parse(readFileSync(join(dist, 'manifest.webmanifest'), 'utf8'))
    expect(manifest).toMatchObject({ name: 'Kubernetes on a Phone', start_url: deckBasePath, scope: deckBasePath, display: 'standalone' })
    expect(manifest.icons.map((icon: { purpose: string }) => icon.purpose)).toEqual(expect.arrayContaining(['any', 'maskable']))
    for (const icon of manifest.icons)
      expect(existsSync(join(dist, icon.src)), icon.src).toBe(true)
  })

  it('has a service worker that precaches every file of the deck', () => {
    const sw = readFileSync(join(dist, 'sw.js'), 'utf8')
    const precached = new Set([...sw.matchAll(PRECACHE_URL)].map(match => match[1]))
    const notNeeded = new Set(['sw.js', '404.html', '_redirects'])
    const files = walk(dist).map(file => relative(dist, file)).filter(file => !notNeeded.has(file) && !/^workbox-[\w-]+\.js$/.test(file) && !file.endsWith('.map'))
    expect(files.filter(file => !precached.has(file))).toEqual([])
    expect(precached.size).toBe(files.length)
    expect(sw).toMatch(/createHandlerBoundToURL\(["']index\.html["']\)/)
  })
})

describe('offline after the first visit', () => {
  let context: BrowserContext
  let page: Page
  let server: DeckServer

  beforeAll(async () => {
    server = await serve()
    context = await browser.newContext(PHONE)
    page = await context.newPage()
    // Notes, for each registration of a service worker, whether a slide was on screen and the page loaded.
    await page.addInitScript(() => {
      const calls: { slideShown: boolean, loaded: boolean }[] = []
      Object.assign(window, { kopRegisterCalls: calls })
      const register = ServiceWorkerContainer.prototype.register
      ServiceWorkerContainer.prototype.register = function (...args: Parameters<typeof register>) {
        calls.push({ slideShown: !!document.querySelector('.slidev-layout'), loaded: document.readyState === 'complete' })
        return register.apply(this, args)
      }
    })
  })

  afterAll(async () => {
    await context?.close()
  })

  it('registers the service worker only once the first slide is shown, and says when the deck is saved', async () => {
    await page.goto(server.url)
    await page.waitForSelector('.slidev-page-1 .slidev-layout')
    const note = page.getByRole('status').filter({ hasText: 'Saved for offline reading' })
    await note.waitFor({ timeout: 120_000 })
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${server.url}sw.js`)
    expect(await page.evaluate(() => (window as unknown as { kopRegisterCalls: unknown[] }).kopRegisterCalls))
      .toEqual([{ slideShown: true, loaded: true }])
  })

  it('with the server stopped: reloads, and shows other slides, a diagram, pictures and QR codes', async () => {
    await server.stop()
    await expect(fetch(server.url)).rejects.toThrow()
    const failed: string[] = []
    page.on('requestfailed', request => failed.push(`${request.url()} (${request.failure()?.errorText})`))
    page.on('pageerror', error => failed.push(`page error: ${error.message}`))

    await page.reload()
    await page.waitForSelector('.slidev-page-1 .slidev-layout', { state: 'visible' })

    const mermaid = slidesWith(/^```mermaid/m)
    const pictures = slidesWith(/\bimg=|<img\b|<SlideImage\b/)
    const qr = slidesWith(/<QrCode\b/)
    const visit = [...new Set([slides.length, ...mermaid.slice(0, 1), ...pictures.slice(0, 2), ...qr.slice(0, 1)])]
    expect(visit.length).toBeGreaterThan(1)
    for (const no of visit) {
      await showSlide(page, no)
      if (mermaid.includes(no))
        await mermaidRendered(page, no)
      await page.waitForFunction(target => [...document.querySelectorAll(`.slidev-page-${target} img`)]
        .every(image => (image as HTMLImageElement).complete && (image as HTMLImageElement).naturalWidth > 0), no)
      if (qr.includes(no))
        expect(await page.locator(`.slidev-page-${no} .kop-qr svg`).count()).toBeGreaterThan(0)
    }
    expect(failed).toEqual([])
  })
})

describe('on a phone in portrait (390×844, touch)', () => {
  let server: DeckServer
  let context: BrowserContext

  beforeAll(async () => {
    server = await serve()
    context = await browser.newContext({ ...PHONE, serviceWorkers: 'block' })
  })

  afterAll(async () => {
    await context?.close()
  })

  /**
   * A fresh page on slide 1 of the slides view (a tap right after a fling is swallowed by Chromium: tests don't
   * share pages). The deck's bare address opens the reading view on a phone: reading.test.ts.
   */
  async function openDeck(): Promise<Page> {
    const page = await context.newPage()
    await page.goto(`${server.url}#/1`)
    await page.waitForSelector('.slidev-page-1 .slidev-layout', { state: 'visible' })
    return page
  }

  /** A horizontal swipe across the middle of the screen, as touch events (Slidev listens for touch pointers). */
  async function swipe(cdp: CDPSession, fromX: number, toX: number) {
    const y = 420
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: fromX, y }] })
    for (let i = 1; i <= 10; i++)
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: fromX + ((toX - fromX) * i) / 10, y }] })
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
  }

  it('a swipe to the left shows the next slide, a swipe to the right the previous one', async () => {
    const page = await openDeck()
    const cdp = await context.newCDPSession(page)
    await swipe(cdp, 330, 60)
    await page.waitForSelector('.slidev-page-2 .slidev-layout', { state: 'visible' })
    expect(new URL(page.url()).hash).toBe('#/2')
    await swipe(cdp, 60, 330)
    await page.waitForSelector('.slidev-page-1 .slidev-layout', { state: 'visible' })
    expect(new URL(page.url()).hash).toBe('#/1')
    await page.close()
  })

  it('the slide spans the full width, and the nav is one row of thumb-sized buttons on screen', async () => {
    const page = await openDeck()
    const slide = await page.locator('#slide-content').boundingBox()
    expect(slide?.width).toBeCloseTo(390, 0)
    const buttons = page.locator('#page-root nav .slidev-icon-btn:visible')
    const boxes = await Promise.all((await buttons.all()).map(button => button.boundingBox()))
    expect(boxes.length).toBeGreaterThanOrEqual(3)
    for (const box of boxes) {
      expect(box!.width).toBeGreaterThanOrEqual(44)
      expect(box!.height).toBeGreaterThanOrEqual(44)
      expect(box!.x).toBeGreaterThanOrEqual(0)
      expect(box!.x + box!.width).toBeLessThanOrEqual(390)
      expect(box!.y + box!.height).toBeLessThanOrEqual(844)
    }
    expect(new Set(boxes.map(box => Math.round(box!.y))).size, 'one row').toBe(1)
    const hint = await page.evaluate(() => {
      const style = getComputedStyle(document.querySelector('#page-root')!, '::before')
      return { content: style.content, top: Number.parseFloat(style.top) }
    })
    expect(hint.content).toContain('sideways')
    expect(hint.top + 20).toBeLessThanOrEqual(slide!.y)
    await page.getByTitle('Go to next slide').tap()
    await page.waitForSelector('.slidev-page-2 .slidev-layout', { state: 'visible' })
    await page.getByTitle('Go to previous slide').tap()
    await page.waitForSelector('.slidev-page-1 .slidev-layout', { state: 'visible' })
    await page.close()
  })

  it('no slide makes the page scroll sideways', async () => {
    const page = await openDeck()
    const wide: string[] = []
    for (let no = 1; no <= slides.length; no++) {
      await showSlide(page, no)
      const size = await page.evaluate(() => ({
        scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
        client: document.documentElement.clientWidth,
      }))
      if (size.scroll > size.client)
        wide.push(`slide ${no}: ${size.scroll}px wide in a ${size.client}px viewport`)
    }
    expect(wide).toEqual([])
    await page.close()
  })
})

describe('heavy parts only on the slides that use them', () => {
  it('ships no QR code generator and no Shiki highlighter engine at all (both run at build time)', () => {
    const parts = [...heavyFiles(dist).values()].flat()
    expect(parts).not.toContain('QR code generator (qrcode)')
    expect(parts).not.toContain('Shiki highlighter engine')
  })

  it('slide 1 fetches none of them before it is painted; a diagram slide fetches mermaid', async () => {
    const heavy = heavyFiles(dist)
    const server = await serve()
    const first = await loadFirstSlide(browser, `${server.url}#/1`, { throttle: false })
    const fetched = (urls: string[]) => urls.flatMap(url => heavy.get(url.slice(server.url.length)) ?? [])
    expect(first.beforePaint.length).toBeGreaterThan(3)
    expect(fetched(first.beforePaint.map(request => request.url))).toEqual([])
    expect(first.foreign).toEqual([])

    const [diagram] = slidesWith(/^```mermaid/m)
    if (diagram === undefined)
      return
    expect([...heavy.values()].flat()).toContain('mermaid')
    const context = await browser.newContext({ ...PHONE, serviceWorkers: 'block' })
    const page = await context.newPage()
    const urls: string[] = []
    page.on('request', request => urls.push(request.url()))
    await page.goto(`${server.url}#/${diagram}`)
    await mermaidRendered(page, diagram)
    await context.close()
    expect(fetched(urls)).toContain('mermaid')
  })
})

it('the icons of the build are the committed ones', () => {
  for (const file of ['pwa/icon-192.png', 'pwa/icon-512.png', 'pwa/icon-maskable-512.png', 'pwa/apple-touch-icon.png', 'pwa/icon.svg'])
    expect(statSync(join(dist, file)).size, file).toBe(statSync(join(import.meta.dirname, '../../public', file)).size)
})
