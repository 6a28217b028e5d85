// The audience's first slide against the floor deck (three plain slides, the same packages and headmatter):
// what a phone downloads until slide 1 is painted, in gzip bytes, within BUDGETS.firstSlideGzipRatio of the
// floor's. Bytes, not time: how long the paint takes depends on the machine, and is `npm run bench`'s to print.
import type { Browser } from 'playwright-core'
import type { FirstScreenFigures } from '../../tools/measure.ts'
import type { DeckServer } from '../../tools/static-server.ts'
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deckBasePath } from '../../build/project.ts'
import { launchChromium } from '../../tools/chromium.ts'
import { buildFloorDeck } from '../../tools/floor-deck.ts'
import { BUDGETS, floorRatios, loadInTurns, medianFigures } from '../../tools/measure.ts'
import { serveDeck } from '../../tools/static-server.ts'
import { builtDeck } from '../support/deck-builds.ts'

describe('the first slide against the floor deck (phone throttling, 3 rounds in turns)', () => {
  let browser: Browser
  let deckServer: DeckServer
  let floorServer: DeckServer
  let floorDir: string
  let deck: FirstScreenFigures
  let floor: FirstScreenFigures
  let ratio: number

  beforeAll(async () => {
    floorDir = await buildFloorDeck()
    browser = await launchChromium()
    deckServer = await serveDeck(await builtDeck(), deckBasePath)
    floorServer = await serveDeck(floorDir, deckBasePath)
    const loads = await loadInTurns(browser, [{ name: 'floor', url: `${floorServer.url}#/1` }, { name: 'deck', url: `${deckServer.url}#/1` }], 3)
    deck = medianFigures(loads.deck)
    floor = medianFigures(loads.floor)
    ratio = floorRatios(loads.deck, loads.floor).gzipBytes
  })

  afterAll(async () => {
    await browser?.close()
    await deckServer?.stop()
    await floorServer?.stop()
    if (floorDir)
      rmSync(floorDir, { recursive: true, force: true })
  })

  it('measured a real floor: its first slide painted, with Slidev\'s code', () => {
    expect(floor.paintedMs).toBeGreaterThan(0)
    expect(floor.gzipBytes).toBeGreaterThan(100 * 1024)
  })

  it(`downloads at most ${BUDGETS.firstSlideGzipRatio}× the floor's gzip bytes until slide 1 is painted`, () => {
    expect(ratio, `deck ${deck.gzipBytes} B, floor ${floor.gzipBytes} B`).toBeLessThanOrEqual(BUDGETS.firstSlideGzipRatio)
  })
})
