// The project's benchmark: the audience's deck and the chat app, each figure next to its budget.
//
//   npm run bench [-- --runs N] [--skip-dev] [--skip-pdf] [--skip-chat] [--json PATH] [--strict]
//
// Deck: build time; the first slide on a phone (390×844) under mobile throttling (CDP: 1.6 Mbps down,
// 150 ms round trip, 4× CPU slowdown) — bytes and gzip bytes until it is painted, and when — next to a floor
// deck's (tools/floor-deck.ts: three plain slides, the same packages and headmatter) measured in turns with it
// in the same run: the budgets are the ratios to the floor, so they hold on a slower or busier machine. In the
// same rounds, the reading view's first screen, as a ratio to that first slide; requests to other hosts; heavy
// parts (mermaid, xterm.js, the cast player, a QR generator, a Shiki engine) fetched before it is painted; the
// built site's size and what the service worker precaches; the dev server from a cold start (empty Vite cache)
// and a warm one until slide 1 renders; the PDF export's time and size.
// Chat: the numbers of `npm run bench:chat` (chat-demo/app/bench/bench.ts), read from its JSON.
// Prints a table, writes bench/results.json, and names the figures over budget (exit code 1 with --strict).
// The machine is shared: its load average is recorded before and after, next to the figures.
import type { FirstSlideLoad } from '../tools/measure.ts'
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { parseArgs } from 'node:util'
import { deckBasePath } from '../build/project.ts'
import { launchChromium } from '../tools/chromium.ts'
import { buildDeck, repoRoot } from '../tools/deck.ts'
import { buildFloorDeck } from '../tools/floor-deck.ts'
import { freePort } from '../tools/free-port.ts'
import {
  BUDGETS,
  firstScreenFigures,

  floorRatios,
  heavyFiles,
  loadFirstSlide,
  loadInTurns,
  medianFigures,
  siteSize,
  THROTTLE,
} from '../tools/measure.ts'
import { serveDeck } from '../tools/static-server.ts'
import { devServerStart, exportPdf, run } from './measure.ts'

const { values } = parseArgs({
  options: {
    'runs': { type: 'string', default: '3' },
    'skip-dev': { type: 'boolean', default: false },
    'skip-pdf': { type: 'boolean', default: false },
    'skip-chat': { type: 'boolean', default: false },
    'json': { type: 'string', default: join(repoRoot, 'bench/results.json') },
    'strict': { type: 'boolean', default: false },
    'help': { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  console.log('Usage: npm run bench [-- --runs N] [--skip-dev] [--skip-pdf] [--skip-chat] [--json PATH] [--strict]')
  process.exit(0)
}
const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs must be a whole number ≥ 1')
  process.exit(2)
}

const KiB = 1024
const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits
const step = (text: string) => console.error(`\n▶ ${text}`)
const work = mkdtempSync(join(tmpdir(), 'kop-bench-'))

function machine() {
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    nproc: availableParallelism(),
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${platform()} ${release()}`,
    date: new Date().toISOString(),
    loadAverageAtStart: loadavg().map(value => round(value, 2)),
  }
}

/** Heavy parts (HEAVY_PARTS) among the files that had arrived when a first screen was painted. */
function heavyBeforePaint(load: FirstSlideLoad, heavy: Map<string, string[]>, url: string): string[] {
  return load.beforePaint.flatMap((request) => {
    const path = request.url.startsWith(url) ? request.url.slice(url.length) : ''
    return (heavy.get(path) ?? []).map(part => `${part} (${path})`)
  })
}

/** Medians of throttled loads of one first screen, each run's paint time, and the heavy parts any run fetched before it. */
function throttledFigures(loads: FirstSlideLoad[], heavy: Map<string, string[]>, url: string) {
  const figures = medianFigures(loads)
  return {
    ...figures,
    paintedMs: round(figures.paintedMs),
    paintedMsRuns: loads.map(load => round(load.paintedMs)),
    heavyBeforePaint: [...new Set(loads.flatMap(load => heavyBeforePaint(load, heavy, url)))],
  }
}

type ThrottledFigures = ReturnType<typeof throttledFigures>

interface DeckResults {
  buildMs: number
  site: ReturnType<typeof siteSize>
  heavyFiles: Record<string, string[]>
  firstSlideUnthrottled: ReturnType<typeof firstScreenFigures> & { heavyBeforePaint: string[] }
  foreignRequests: string[]
  requestsAfterPreload: number
  firstSlide: ThrottledFigures & { throttle: typeof THROTTLE, viewport: string }
  /** The floor deck's first slide (tools/floor-deck.ts), throttled, in the same rounds as `firstSlide` */
  floorFirstSlide: ThrottledFigures & { buildMs: number, requestUrls: string[] }
  /** `firstSlide` over `floorFirstSlide`: the first slide's budgets */
  floorRatios: ReturnType<typeof floorRatios>
  /** The reading view's first screen (#/read), throttled, measured in the same rounds as `firstSlide` */
  readingFirstScreen: ThrottledFigures & { paintedRatio: number }
  devServer?: { coldStartMs: number, warmStartMs: number }
  pdf?: { exportMs: number, bytes: number, pages: number }
}

interface Results {
  tool: string
  machine: ReturnType<typeof machine> & { loadAverageAtEnd?: number[] }
  deck: DeckResults
  chat?: ChatResult
  budgets?: Check[]
  overBudget?: string[]
}

interface ChatResult {
  startupToReadyMs: { median: number }
  idleRssMb: { chat: number, bareNode: number }
  load: { method: string, connections: number, requestsPerSecond: number, p99Ms: number }[]
  messages: { acknowledged: number, stored: number, lost: number }
  [key: string]: unknown
}

/** A build, timed. */
async function timed<T>(build: () => Promise<T>): Promise<{ result: T, ms: number }> {
  const started = performance.now()
  const result = await build()
  return { result, ms: performance.now() - started }
}

/** The request paths of one load, without data: URLs, in the order they finished. */
function requestPaths(load: FirstSlideLoad, url: string): string[] {
  return load.beforePaint.filter(request => !request.url.startsWith('data:'))
    .sort((a, b) => a.finishedMs - b.finishedMs)
    .map(request => request.url.startsWith(url) ? request.url.slice(url.length) || '(index.html)' : request.url)
}

async function main() {
  step('Building the deck (slidev build)')
  const build = await timed(() => buildDeck())
  const out = build.result
  step('Building the floor deck: three plain slides, slides.md\'s headmatter (tools/floor-deck.ts)')
  const floorBuild = await timed(buildFloorDeck)
  const heavy = heavyFiles(out)
  const deck = { buildMs: round(build.ms), site: siteSize(out), heavyFiles: Object.fromEntries(heavy) } as DeckResults
  const results: Results = { tool: 'bench/bench.ts', machine: machine(), deck }

  const browser = await launchChromium()
  const server = await serveDeck(out, deckBasePath)
  const floorServer = await serveDeck(floorBuild.result, deckBasePath)
  try {
    // A phone opening the deck's address gets the reading view (setup/routes.ts): the slides view is #/1.
    const slidesUrl = `${server.url}#/1`
    step('First slide, unthrottled, then 4 s more (Slidev preloads the other slides after 3 s)')
    const open = await loadFirstSlide(browser, slidesUrl, { throttle: false, settleMs: 4000 })
    deck.firstSlideUnthrottled = { ...firstScreenFigures(open), paintedMs: round(open.paintedMs), heavyBeforePaint: heavyBeforePaint(open, heavy, server.url) }
    deck.foreignRequests = open.foreign
    deck.requestsAfterPreload = open.all.filter(request => !request.url.startsWith('data:')).length

    step(`The floor's first slide, the deck's, and the reading view's first screen under throttling (${THROTTLE.downloadKbps} kbit/s, ${THROTTLE.rttMs} ms RTT, ${THROTTLE.cpuSlowdown}× CPU), ${runs} round(s), in turns`)
    const loads = await loadInTurns(browser, [
      { name: 'floor', url: `${floorServer.url}#/1` },
      { name: 'slide', url: slidesUrl },
      { name: 'reading', url: `${server.url}#/read`, screen: 'reading' },
    ], runs, (round, { floor, slide, reading }) => console.error(`  round ${round}: painted at ${Math.round(floor.paintedMs)} ms (floor), ${Math.round(slide.paintedMs)} ms (slide 1), ${Math.round(reading.paintedMs)} ms (reading view)`))
    deck.firstSlide = { throttle: THROTTLE, viewport: '390×844, touch, 3× pixel ratio', ...throttledFigures(loads.slide, heavy, server.url) }
    deck.floorFirstSlide = { buildMs: round(floorBuild.ms), ...throttledFigures(loads.floor, new Map(), floorServer.url), requestUrls: requestPaths(loads.floor[0], floorServer.url) }
    deck.floorRatios = floorRatios(loads.slide, loads.floor)
    const reading = throttledFigures(loads.reading, heavy, server.url)
    deck.readingFirstScreen = { ...reading, paintedRatio: round(reading.paintedMs / deck.firstSlide.paintedMs, 2) }
    printRequests(requestPaths(loads.slide[0], server.url), deck.floorFirstSlide.requestUrls)
  }
  finally {
    await server.stop()
    await floorServer.stop()
  }

  try {
    if (!values['skip-dev']) {
      step('Dev server: cold start (empty Vite cache), then a warm start, until slide 1 renders')
      const cacheDir = join(work, 'vite-cache')
      const cold = await devServerStart(browser, await freePort(), cacheDir)
      const warm = await devServerStart(browser, await freePort(), cacheDir)
      deck.devServer = { coldStartMs: round(cold.ms), warmStartMs: round(warm.ms) }
    }
  }
  finally {
    await browser.close()
  }

  if (!values['skip-pdf']) {
    step('PDF export (npm run export)')
    const pdf = await exportPdf(join(work, 'deck.pdf'))
    deck.pdf = { exportMs: round(pdf.ms), bytes: pdf.bytes, pages: pdf.pages }
  }

  if (!values['skip-chat']) {
    step('Chat app (npm run bench:chat)')
    const chatJson = join(work, 'chat.json')
    await run('npm', ['run', '--silent', 'bench:chat', '--', '--json', chatJson], { quiet: false })
    results.chat = JSON.parse(readFileSync(chatJson, 'utf8')) as ChatResult
  }

  results.machine.loadAverageAtEnd = loadavg().map(value => round(value, 2))
  const checks = budgetChecks(results)
  results.budgets = checks
  results.overBudget = checks.filter(check => check.over).map(check => check.figure)

  printTable(results, checks)
  const jsonPath = resolve(values.json as string)
  writeFileSync(`${jsonPath}.tmp`, `${JSON.stringify(results, null, 2)}\n`)
  renameSync(`${jsonPath}.tmp`, jsonPath)
  console.log(`\nAll figures: ${jsonPath}`)
  for (const dir of [work, out, floorBuild.result])
    rmSync(dir, { recursive: true, force: true })
  if (values.strict && checks.some(check => check.over))
    process.exit(1)
}

/** What slide 1 fetched before its paint that the floor didn't, by file name without Vite's content hash. */
function printRequests(slide: string[], floor: string[]) {
  const unhashed = (path: string) => path.replace(/-[\w-]{8}(?=\.\w+$)/, '')
  const floorFiles = new Set(floor.map(unhashed))
  const extra = slide.filter(path => !floorFiles.has(unhashed(path)))
  console.error(`\n  slide 1 fetched ${slide.length} files before its paint, the floor ${floor.length}; beyond the floor's: ${extra.join(', ') || 'none'}`)
}

interface Check { figure: string, value: number, budget: number, unit: string, over: boolean }

function budgetChecks(results: Results): Check[] {
  const deck = results.deck
  const checks: Check[] = [
    { figure: 'first slide / floor, gzip bytes until painted', value: deck.floorRatios.gzipBytes, budget: BUDGETS.firstSlideGzipRatio, unit: '×', over: false },
    { figure: 'first slide / floor, painted, throttled', value: deck.floorRatios.paintedMs, budget: BUDGETS.firstSlidePaintRatio, unit: '×', over: false },
    { figure: 'requests to other hosts', value: deck.foreignRequests.length, budget: BUDGETS.foreignRequests, unit: '', over: false },
    { figure: 'heavy parts fetched before the first slide', value: deck.firstSlide.heavyBeforePaint.length, budget: 0, unit: '', over: false },
    { figure: 'reading view first screen / first slide, throttled', value: deck.readingFirstScreen.paintedRatio, budget: BUDGETS.readingFirstScreenRatio, unit: '×', over: false },
    { figure: 'heavy parts fetched before the reading view', value: deck.readingFirstScreen.heavyBeforePaint.length, budget: 0, unit: '', over: false },
  ]
  if (deck.pdf)
    checks.push({ figure: 'PDF size', value: round(deck.pdf.bytes / 1e6, 2), budget: BUDGETS.pdfMB, unit: 'MB', over: false })
  const chat = results.chat
  if (chat)
    checks.push({ figure: 'chat: messages lost', value: chat.messages.lost, budget: 0, unit: '', over: false })
  return checks.map(check => ({ ...check, over: check.value > check.budget }))
}

function printTable(results: Results, checks: Check[]) {
  const { deck, chat, machine: m } = results
  const kib = (bytes: number) => `${round(bytes / KiB, 1)} KiB`
  // figure, value, budget, and the budget check it belongs to (see budgetChecks)
  const rows: [string, string, string, string?][] = [
    ['Deck build (slidev build)', `${round(deck.buildMs / 1000, 1)} s`, ''],
    ['First slide: requests until painted', `${deck.firstSlide.requests}`, ''],
    ['First slide: bytes until painted', kib(deck.firstSlide.bytes), ''],
    ['First slide: gzip bytes until painted', kib(deck.firstSlide.gzipBytes), ''],
    ['Floor deck: requests / gzip bytes until painted', `${deck.floorFirstSlide.requests} / ${kib(deck.floorFirstSlide.gzipBytes)}`, ''],
    ['First slide / floor: gzip bytes until painted', `${deck.floorRatios.gzipBytes}×`, `≤ ${BUDGETS.firstSlideGzipRatio}×`, 'first slide / floor, gzip bytes until painted'],
    ['First slide painted, throttled (median)', `${deck.firstSlide.paintedMs} ms`, ''],
    ['Floor deck painted, throttled (median)', `${deck.floorFirstSlide.paintedMs} ms`, ''],
    ['First slide / floor: painted, throttled', `${deck.floorRatios.paintedMs}×`, `≤ ${BUDGETS.firstSlidePaintRatio}×`, 'first slide / floor, painted, throttled'],
    ['First slide painted, unthrottled', `${deck.firstSlideUnthrottled.paintedMs} ms`, ''],
    ['Reading view: requests / gzip bytes until painted', `${deck.readingFirstScreen.requests} / ${kib(deck.readingFirstScreen.gzipBytes)}`, ''],
    ['Reading view painted, throttled (median)', `${deck.readingFirstScreen.paintedMs} ms`, ''],
    ['Reading view / first slide, same runs', `${deck.readingFirstScreen.paintedRatio}×`, `≤ ${BUDGETS.readingFirstScreenRatio}×`, 'reading view first screen / first slide, throttled'],
    ['Heavy parts before the reading view', deck.readingFirstScreen.heavyBeforePaint.length ? deck.readingFirstScreen.heavyBeforePaint.join(', ') : 'none', 'none', 'heavy parts fetched before the reading view'],
    ['Requests to other hosts', `${deck.foreignRequests.length}`, `${BUDGETS.foreignRequests}`, 'requests to other hosts'],
    ['Heavy parts before first slide', deck.firstSlide.heavyBeforePaint.length ? deck.firstSlide.heavyBeforePaint.join(', ') : 'none', 'none', 'heavy parts fetched before the first slide'],
    ['Site: files / bytes / gzip', `${deck.site.files} / ${kib(deck.site.bytes)} / ${kib(deck.site.gzipBytes)}`, ''],
    ['Offline precache: entries / gzip', `${deck.site.precache.entries} / ${kib(deck.site.precache.gzipBytes)}`, ''],
  ]
  if (deck.devServer) {
    rows.push(['Dev server cold start → slide 1', `${round(deck.devServer.coldStartMs / 1000, 1)} s`, ''])
    rows.push(['Dev server warm start → slide 1', `${round(deck.devServer.warmStartMs / 1000, 1)} s`, ''])
  }
  if (deck.pdf) {
    rows.push(['PDF export time', `${round(deck.pdf.exportMs / 1000, 1)} s`, ''])
    rows.push(['PDF size / pages', `${round(deck.pdf.bytes / 1e6, 2)} MB / ${deck.pdf.pages}`, `≤ ${BUDGETS.pdfMB} MB`, 'PDF size'])
  }
  if (chat) {
    const load = (method: string, connections: number) => chat.load.find(row => row.method === method && row.connections === connections)
    rows.push(['Chat: start-up to ready (median)', `${chat.startupToReadyMs.median} ms`, ''])
    rows.push(['Chat: idle memory (RSS) / bare node', `${chat.idleRssMb.chat} MB / ${chat.idleRssMb.bareNode} MB`, ''])
    for (const [method, connections] of [['POST', 16], ['GET', 16]] as const) {
      const row = load(method, connections)
      if (row)
        rows.push([`Chat: ${method} at ${connections} connections`, `${row.requestsPerSecond} req/s, p99 ${row.p99Ms} ms`, ''])
    }
    rows.push(['Chat: messages lost', `${chat.messages.lost} of ${chat.messages.acknowledged}`, '0', 'chat: messages lost'])
  }
  const status = (figure?: string) => {
    const check = checks.find(candidate => candidate.figure === figure)
    return check ? (check.over ? 'OVER' : 'ok') : ''
  }
  const table = [['Figure', 'Value', 'Budget', ''], ...rows.map(([label, value, budget, figure]) => [label, value, budget, status(figure)])]
  const widths = [0, 1, 2, 3].map(i => Math.max(...table.map(row => row[i].length)))
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()
  console.log('')
  console.log(line(table[0]))
  console.log(line(widths.map(width => '─'.repeat(width))))
  for (const row of table.slice(1))
    console.log(line(row))
  console.log('')
  console.log(`Machine: ${m.cpuModel}, ${m.nproc} CPUs, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, ${m.date}`)
  console.log(`Load average (1/5/15 min) at start ${m.loadAverageAtStart.join(' / ')}, at end ${(m.loadAverageAtEnd ?? []).join(' / ')}: other work on a shared machine slows every time above.`)
  const failing = checks.filter(check => check.over)
  console.log(failing.length
    ? `Over budget: ${failing.map(check => `${check.figure} (${check.value}${check.unit ? ` ${check.unit}` : ''} > ${check.budget}${check.unit ? ` ${check.unit}` : ''})`).join('; ')}`
    : 'Every figure is within its budget.')
}

await main()
