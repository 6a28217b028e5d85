import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { DeckServer } from '../../tools/static-server.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deckBasePath } from '../../build/project.ts'
import { launchChromium, watchProblems } from '../../tools/chromium.ts'
import { deckSlides } from '../../tools/deck.ts'
import { PHONE } from '../../tools/measure.ts'
import { serveDeck } from '../../tools/static-server.ts'
import { builtDeck } from '../support/deck-builds.ts'
import { heldAtTop, readingSection as section } from '../support/reading.ts'
import { stageDirections } from '../support/stage-directions.ts'

// The reading view of the built deck (#/read), as the audience gets it: a phone in portrait, touch, under the
// deck's base path. Every slide as a section with what the speaker says, readable sizes, no sideways scrolling,
// no stage direction, links into it, and the way to and from the slides view.

let dist: string
let browser: Browser
let server: DeckServer
let context: BrowserContext
let slides: Awaited<ReturnType<typeof deckSlides>> = []

beforeAll(async () => {
  dist = await builtDeck()
  browser = await launchChromium()
  slides = await deckSlides()
  server = await serveDeck(dist, deckBasePath)
  context = await browser.newContext({ ...PHONE, serviceWorkers: 'block' })
})

afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.stop()
})

async function openReading(hash = '#/read'): Promise<{ page: Page, problems: string[] }> {
  const page = await context.newPage()
  const problems = watchProblems(page, server.url)
  await page.goto(`${server.url}${hash}`)
  await page.waitForSelector('.kop-reading-section .slidev-layout')
  return { page, problems }
}

/** Scrolls through the whole reading view, as a reader would, until every slide is drawn with its pictures. */
async function readToTheEnd(page: Page) {
  await page.mouse.wheel(0, 10) // the reader takes over: the page no longer holds its slide in place
  await page.evaluate(() => scrollTo(0, 0))
  await page.waitForFunction((total) => {
    window.scrollBy(0, innerHeight)
    return document.querySelectorAll('.kop-reading-slide .slidev-layout').length === total
      && [...document.querySelectorAll<HTMLImageElement>('.kop-reading img')].every(image => image.complete && image.naturalWidth > 0)
  }, slides.length, { polling: 100, timeout: 120_000 })
}

describe('the reading view on a phone in portrait (390×844, touch)', () => {
  it('is where a phone opening the deck\'s address lands; a laptop gets slide 1', async () => {
    const { page } = await openReading('')
    expect(new URL(page.url()).hash).toBe('#/read')
    await page.close()
    const laptop = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' })
    const desk = await laptop.newPage()
    await desk.goto(server.url)
    await desk.waitForSelector('.slidev-page-1 .slidev-layout', { state: 'visible' })
    expect(new URL(desk.url()).hash).toBe('#/1')
    expect(await desk.locator('.kop-reading').count()).toBe(0)
    await laptop.close()
  })

  it('has a section for every slide, in order, each with the slide drawn and its title, and nothing goes wrong', async () => {
    const { page, problems } = await openReading()
    await readToTheEnd(page)
    const sections = await page.$$eval('.kop-reading-section', nodes => nodes.map(node => ({
      no: Number((node as HTMLElement).dataset.no),
      slide: node.querySelector('.kop-reading-slide')?.getAttribute('data-slidev-no'),
      text: (node.querySelector('.kop-reading-slide') as HTMLElement | null)?.innerText ?? '',
    })))
    expect(sections.map(s => s.no)).toEqual(slides.map((_, i) => i + 1))
    expect(sections.map(s => s.slide)).toEqual(slides.map((_, i) => String(i + 1)))
    // As text: without inline HTML and Markdown marks, typographic apostrophes as typed.
    const plain = (text: string) => text.replace(/<[^>]*>/g, '').replace(/[*_`]/g, '').replace(/’/g, '\'').replace(/\s+/g, ' ').trim()
    const missingTitles = slides.flatMap((slide, i) => slide.title && !plain(sections[i].text).includes(plain(slide.title)) ? [`${i + 1}: ${slide.title}`] : [])
    expect(missingTitles).toEqual([])
    expect(problems).toEqual([])
    await page.close()
  })

  it('never scrolls sideways: wide code, tables and diagrams scroll inside their own block', async () => {
    const { page } = await openReading()
    await readToTheEnd(page)
    const size = await page.evaluate(() => ({
      scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
      client: document.documentElement.clientWidth,
    }))
    expect(size.scroll).toBeLessThanOrEqual(size.client)
    // What is wider than its box must be a block that scrolls, not something cut off.
    const cut = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.kop-reading main *')]
      .filter(node => node.scrollWidth > node.clientWidth + 1 && node.clientWidth > 0)
      .filter(node => !['auto', 'scroll'].includes(getComputedStyle(node).overflowX) && !node.parentElement?.closest('pre, table, .mermaid'))
      .filter(node => getComputedStyle(node).overflowX === 'hidden' || getComputedStyle(node).overflowX === 'clip')
      .map(node => `${node.closest<HTMLElement>('.kop-reading-section')?.dataset.no}: ${node.tagName}.${node.className}`))
    expect(cut).toEqual([])
    await page.close()
  })

  it('shows body text at 14 CSS px or more and code at 12 or more, diagrams included (computed, as shown)', async () => {
    const { page } = await openReading()
    await readToTheEnd(page)
    const found = await page.evaluate(() => {
      const small: string[] = []
      let smallestText = Number.POSITIVE_INFINITY
      let smallestCode = Number.POSITIVE_INFINITY
      let checked = 0
      const roots: (Document | ShadowRoot)[] = [document, ...[...document.querySelectorAll('.kop-reading .mermaid')].flatMap(host => host.shadowRoot ? [host.shadowRoot] : [])]
      for (const root of roots) {
        const start = root instanceof Document ? root.querySelector('.kop-reading')! : root
        const walker = document.createTreeWalker(start, NodeFilter.SHOW_TEXT)
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const element = node.parentElement
          if (!element || !node.textContent!.trim() || !element.checkVisibility({ opacityProperty: true, visibilityProperty: true }))
            continue
          const style = getComputedStyle(element)
          // Text in a drawing is scaled with it: its size on screen is its font size times the drawing's scale.
          const svg = element.closest('svg')
          const scale = svg?.getScreenCTM()?.a ?? 1
          const px = Number.parseFloat(style.fontSize) * scale
          const code = !!element.closest('pre, code') || /mono/i.test(style.fontFamily)
          checked++
          if (code)
            smallestCode = Math.min(smallestCode, px)
          else
            smallestText = Math.min(smallestText, px)
          if (px < (code ? 12 : 14) - 0.01) {
            const where = (root instanceof ShadowRoot ? root.host : element).closest<HTMLElement>('.kop-reading-section')?.dataset.no
            small.push(`slide ${where}: ${px.toFixed(1)} px ${code ? 'code' : 'text'} "${node.textContent!.trim().slice(0, 30)}"`)
          }
        }
      }
      return { small: [...new Set(small)], smallestText, smallestCode, checked }
    })
    // eslint-disable-next-line no-console -- the sizes found are the run's report, as the benches print theirs
    console.log(`reading view: smallest text ${found.smallestText.toFixed(1)} px, smallest code ${found.smallestCode.toFixed(1)} px (${found.checked} text nodes)`)
    expect(found.checked).toBeGreaterThan(1000)
    expect(found.small).toEqual([])
    await page.close()
  })

  it('#/read/N opens at slide N and holds it there while the slides above load; the address follows the reader', async () => {
    for (const no of [Math.ceil(slides.length / 2), slides.length - 3]) {
      const { page } = await openReading(`#/read/${no}`)
      await page.waitForSelector(`${section(no)} .slidev-layout`)
      await heldAtTop(page, no)
      expect(await page.locator('.kop-reading-count').innerText()).toBe(`${no} / ${slides.length}`)
      expect(new URL(page.url()).hash).toBe(`#/read/${no}`)
      // Reading on: the address names the slide at the top.
      await page.mouse.wheel(0, 10)
      await page.evaluate(target => document.querySelector(target)!.scrollIntoView(), section(no + 2))
      await page.waitForFunction(target => location.hash === `#/read/${target}`, no + 2)
      await page.close()
    }
  })

  it('is one tap from the slides view and back, keeping the position', async () => {
    const no = 20
    const { page } = await openReading(`#/read/${no}`)
    await heldAtTop(page, no)
    await page.getByRole('link', { name: 'Slides' }).tap()
    await page.waitForSelector(`.slidev-page-${no} .slidev-layout`, { state: 'visible' })
    expect(new URL(page.url()).hash).toBe(`#/${no}`)
    await page.getByRole('link', { name: 'Read the talk on your phone' }).tap()
    await page.waitForSelector(`${section(no)} .slidev-layout`)
    await heldAtTop(page, no)
    expect(new URL(page.url()).hash).toBe(`#/read/${no}`)
    await page.close()
  })

  it('gives the audience what the speaker says, and no stage direction', async () => {
    const { page } = await openReading()
    await readToTheEnd(page)
    const shown = (await page.locator('.kop-reading main').innerText()).replace(/\s+/g, ' ')
    const directions = slides.flatMap(slide => stageDirections(slide.note ?? ''))
    expect(directions.length).toBeGreaterThan(10)
    expect(directions.filter(direction => shown.includes(direction))).toEqual([])
    // …while the rest of the notes is there: the first sentence of every paragraph that isn't a direction.
    const spoken = slides.flatMap(slide => (slide.note ?? '').split(/\n\s*\n/).filter(block => block.trim() && !block.trimStart().startsWith('>')).map(block => block.replace(/\[click(?::\d+)?\]/g, '').replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim().split(/(?<=[.:?!])\s/)[0]))
    expect(spoken.length).toBeGreaterThan(150)
    expect(spoken.filter(sentence => !shown.includes(sentence))).toEqual([])
    await page.close()
  })

  it('is readable without sight: headings in order, pictures and drawings named, links and buttons named', async () => {
    const { page } = await openReading()
    await readToTheEnd(page)
    const facts = await page.evaluate(() => {
      const levels = [...document.querySelectorAll('.kop-reading main :is(h1, h2, h3, h4, h5, h6)')]
        .filter(heading => heading.checkVisibility())
        .map(heading => Number(heading.tagName[1]))
      const jumps = levels.flatMap((level, i) => i > 0 && level > levels[i - 1] + 1 ? [`h${levels[i - 1]} → h${level}`] : [])
      const unnamedImages = [...document.querySelectorAll<HTMLImageElement>('.kop-reading img')].filter(image => !image.alt.trim()).map(image => image.src)
      const unnamedDrawings = [...document.querySelectorAll('.kop-reading svg[role="img"]')].filter(svg => !svg.getAttribute('aria-label')?.trim()).length
      const unnamedControls = [...document.querySelectorAll<HTMLElement>('.kop-reading :is(a, button)')]
        .filter(control => !(control.getAttribute('aria-label') || control.getAttribute('title') || control.innerText).trim())
        .map(control => control.outerHTML.slice(0, 80))
      return { first: levels[0], jumps, unnamedImages, unnamedDrawings, unnamedControls, main: document.querySelectorAll('main').length }
    })
    expect(facts.main).toBe(1)
    expect(facts.first).toBe(1)
    expect(facts.jumps).toEqual([])
    expect(facts.unnamedImages).toEqual([])
    expect(facts.unnamedDrawings).toBe(0)
    expect(facts.unnamedControls).toEqual([])
    await page.close()
  })

  it('has enough contrast: body text and notes at 4.5:1 or more against what is behind them', async () => {
    const { page } = await openReading()
    await readToTheEnd(page)
    const low = await page.evaluate(() => {
      const rgba = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number)
      const luminance = ([r, g, b]: number[]) => {
        const channel = (c: number) => {
          const s = c / 255
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4
        }
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
      }
      /** The opaque colour behind an element: its backgrounds, mixed from the page's up. */
      function background(element: Element): number[] {
        const chain: Element[] = []
        for (let node: Element | null = element; node; node = node.parentElement)
          chain.unshift(node)
        let color = [255, 255, 255]
        for (const node of chain) {
          const [r, g, b, a = 1] = rgba(getComputedStyle(node).backgroundColor)
          if (a > 0)
            color = [r * a + color[0] * (1 - a), g * a + color[1] * (1 - a), b * a + color[2] * (1 - a)]
        }
        return color
      }
      const problems: string[] = []
      const seen = new Set<Element>()
      const walker = document.createTreeWalker(document.querySelector('.kop-reading main')!, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const element = node.parentElement!
        if (seen.has(element) || !node.textContent!.trim() || element.closest('svg') || !element.checkVisibility({ opacityProperty: true, visibilityProperty: true }))
          continue
        seen.add(element)
        let opacity = 1
        for (let up: Element | null = element; up; up = up.parentElement)
          opacity *= Number(getComputedStyle(up).opacity)
        const back = background(element)
        const [r, g, b, a = 1] = rgba(getComputedStyle(element).color)
        const alpha = a * opacity
        const fore = [r * alpha + back[0] * (1 - alpha), g * alpha + back[1] * (1 - alpha), b * alpha + back[2] * (1 - alpha)]
        const [light, dark] = [luminance(fore), luminance(back)].sort((x, y) => y - x)
        const ratio = (light + 0.05) / (dark + 0.05)
        const style = getComputedStyle(element)
        const large = Number.parseFloat(style.fontSize) >= 24 || (Number.parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700)
        if (ratio < (large ? 3 : 4.5))
          problems.push(`slide ${element.closest<HTMLElement>('.kop-reading-section')?.dataset.no}: ${ratio.toFixed(2)}:1 "${node.textContent!.trim().slice(0, 30)}"`)
      }
      return problems
    })
    expect(low).toEqual([])
    await page.close()
  })
})

describe('the reading view offline, after the first visit', () => {
  it('reloads with the server gone and shows slides further down, with their pictures and diagrams', async () => {
    const offline = await serveDeck(dist, deckBasePath)
    const worker = await browser.newContext(PHONE)
    try {
      const page = await worker.newPage()
      await page.goto(`${offline.url}#/read`)
      await page.getByRole('status').filter({ hasText: 'Saved for offline reading' }).waitFor({ timeout: 120_000 })
      await offline.stop()
      await expect(fetch(offline.url)).rejects.toThrow()
      const failed: string[] = []
      page.on('requestfailed', request => failed.push(`${request.url()} (${request.failure()?.errorText})`))
      page.on('pageerror', error => failed.push(`page error: ${error.message}`))
      const far = slides.findIndex(slide => /^```mermaid/m.test(slide.source.raw)) + 1
      expect(far).toBeGreaterThan(1)
      await page.reload()
      await page.waitForSelector(`${section(1)} .slidev-layout`)
      await page.evaluate(target => (location.hash = `#/read/${target}`), far)
      await page.waitForSelector(`${section(far)} .slidev-layout`)
      await page.waitForFunction(target => !!document.querySelector(`${target} .mermaid`)?.shadowRoot?.querySelector('svg'), section(far), { timeout: 60_000 })
      await readToTheEnd(page)
      expect(failed).toEqual([])
    }
    finally {
      await worker.close()
      await offline.stop()
    }
  })
})
