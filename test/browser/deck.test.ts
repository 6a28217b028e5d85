import type { Browser, Page } from 'playwright-core'
import type { DeckServer } from '../../tools/static-server.ts'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { regionLines } from '../../build/code-with-script.ts'
import { deckBasePath } from '../../build/project.ts'
import { launchChromium, watchProblems } from '../../tools/chromium.ts'
import { deckSlides, repoRoot } from '../../tools/deck.ts'
import { serveDeck } from '../../tools/static-server.ts'
import { builtDeck } from '../support/deck-builds.ts'

// The built deck, served under the project's non-root base path, visited slide by slide in Chromium.

interface SlideReport {
  problems: string[]
  codeBlocks: { path: string, region: string | null, shown: string[] }[]
  qrCodes: { href: string, decoded: string | null }[]
}

const project = JSON.parse(readFileSync(join(repoRoot, 'project.json'), 'utf8'))
let browser: Browser
let server: DeckServer
let slides: Awaited<ReturnType<typeof deckSlides>> = []

function dedent(lines: string[]): string[] {
  const indent = Math.min(...lines.filter(line => line.trim()).map(line => line.match(/^\s*/)![0].length))
  return lines.map(line => line.slice(indent))
}

/** The slide's own QR code number `index`: Slidev mounts the neighbouring slides too (hidden), with theirs. */
async function decodeQr(page: Page, no: number, index: number): Promise<string | null> {
  const png = PNG.sync.read(await page.locator(`.slidev-page-${no} .kop-qr svg`).nth(index).screenshot())
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null
}

async function visitSlide(no: number): Promise<SlideReport> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  const problems = watchProblems(page, server.url)

  await page.goto(`${server.url}#/${no}`, { waitUntil: 'networkidle' })
  await page.waitForSelector(`.slidev-page-${no} .slidev-layout`)
  await page.evaluate(() => document.fonts.ready)
  await page.waitForFunction(() => [...document.images].every(image => image.complete))
  // Slidev draws mermaid diagrams into a shadow root; a diagram that fails to render leaves no .mermaid at all.
  const diagrams = (slides[no - 1].source.raw.match(/^```mermaid/gm) ?? []).length
  await page.waitForFunction(
    ([selector, count]) => [...document.querySelectorAll(selector)].filter(node => node.shadowRoot?.querySelector('svg')).length === count,
    [`.slidev-page-${no} .mermaid`, diagrams] as const,
  ).catch(() => problems.push(`expected ${diagrams} rendered mermaid diagram(s)`))

  const slide = page.locator(`.slidev-page-${no}`)
  const text = await slide.innerText()
  if (text.includes('```'))
    problems.push('raw markdown fence (```) on the slide')
  for (const image of await slide.locator('img').all()) {
    const broken = await image.evaluate((node: HTMLImageElement) => node.naturalWidth === 0)
    if (broken)
      problems.push(`broken image: ${await image.getAttribute('src')}`)
  }
  if (await slide.locator('.kop-missing').count())
    problems.push(`missing asset marker: ${await slide.locator('.kop-missing').first().innerText()}`)

  // Text must fit on the 1280×720 slide: nothing sticks out of it, no code line needs scrolling.
  const overflow = await page.evaluate((layoutSelector) => {
    const layout = document.querySelector(layoutSelector) as HTMLElement
    const box = layout.getBoundingClientRect()
    const found: string[] = []
    for (const element of layout.querySelectorAll<HTMLElement>('*')) {
      const rect = element.getBoundingClientRect()
      if (rect.width > 0 && (rect.right > box.right + 2 || rect.bottom > box.bottom + 2 || rect.left < box.left - 2))
        found.push(`<${element.tagName.toLowerCase()} class="${element.getAttribute('class') ?? ''}"> sticks out of the slide`)
      if (element.tagName === 'PRE' && element.scrollWidth > element.clientWidth + 2)
        found.push(`code line too long: ${element.textContent?.trim().split('\n')[0]}`)
    }
    return found.slice(0, 3)
  }, `.slidev-page-${no} .slidev-layout`)
  problems.push(...overflow)

  const codeBlocks = await slide.locator('[data-script-path]').evaluateAll(nodes => nodes.map(node => ({
    path: node.getAttribute('data-script-path')!,
    region: node.getAttribute('data-region'),
    shown: [...node.querySelectorAll('.line')].map(line => (line.textContent ?? '').replace(/\s+$/, '')),
  })))
  const hrefs = await slide.locator('.kop-qr').evaluateAll(nodes => nodes.map(node => node.getAttribute('href')!))
  const qrCodes = []
  for (const [index, href] of hrefs.entries())
    qrCodes.push({ href, decoded: await decodeQr(page, no, index) })
  await page.close()
  return { problems, codeBlocks, qrCodes }
}

beforeAll(async () => {
  const out = await builtDeck()
  server = await serveDeck(out, deckBasePath)
  browser = await launchChromium()
  slides = await deckSlides()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('the built deck under a non-root base path', () => {
  it('is built for the deck URL of project.json', () => {
    expect(deckBasePath).toMatch(/^\/.+\/$/)
  })

  it('shows every slide cleanly: no failed or foreign request, console error, broken image or raw markdown', async () => {
    expect(slides.length).toBeGreaterThan(1)
    const failures: string[] = []
    let codeBlocksSeen = 0
    let qrCodesSeen = 0
    for (let no = 1; no <= slides.length; no++) {
      const report = await visitSlide(no)
      failures.push(...report.problems.map(problem => `slide ${no}: ${problem}`))
      for (const block of report.codeBlocks) {
        codeBlocksSeen++
        const file = readFileSync(join(repoRoot, block.path), 'utf8')
        const expected = block.region ? dedent(regionLines(file, block.region) ?? []) : file.replace(/\n$/, '').split('\n')
        expect(block.shown, `slide ${no}: ${block.path}#${block.region}`).toEqual(expected.map(line => line.replace(/\s+$/, '')))
      }
      for (const qr of report.qrCodes) {
        qrCodesSeen++
        expect(qr.decoded, `slide ${no}: QR code for ${qr.href}`).toBe(qr.href)
        expect(Object.values(project)).toContain(qr.decoded)
      }
    }
    expect(failures).toEqual([])
    expect(codeBlocksSeen, 'CodeWithScript blocks checked').toBeGreaterThan(0)
    expect(qrCodesSeen, 'QR codes decoded').toBeGreaterThan(0)
  })
})
