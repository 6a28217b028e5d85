// The project's benchmark: the audience's deck and the chat app, each figure next to its budget.
//
//   npm run bench [-- --runs N] [--skip-dev] [--skip-pdf] [--skip-chat] [--json PATH] [--strict]
//
// Deck: build time; the first slide on a phone (390×844) under mobile throttling (CDP: 1.6 Mbps down,
// 150 ms round trip, 4× CPU slowdown) — bytes and gzip bytes until it is painted, and when — and, in the
// same runs, the reading view's first screen, as a ratio to that first slide; requests to
// other hosts; heavy parts (mermaid, xterm.js, the cast player, a QR generator, a Shiki engine) fetched
// before it is painted; the built site's size and what the service worker precaches; the dev server from
// a cold start (empty Vite cache) and a warm one until slide 1 renders; the PDF export's time and size.
// Chat: the numbers of `npm run bench:chat` (chat-demo/app/bench/bench.ts), read from its JSON.
// Prints a table, writes bench/results.json, and names the figures over budget (exit code 1 with --strict).
// The machine is shared: its load average is recorded before and after, next to the figures.
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { launchChromium } from '../tools/chromium.ts'
import {
  BUDGETS, buildDeck, deckBase, devServerStart, exportPdf, type FirstSlideLoad, freePort, heavyFiles, loadFirstSlide, median,
  repoRoot, run, siteSize, sum, THROTTLE,
} from './measure.ts'
import { serveDeck } from '../tools/static-server.ts'

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

/** The part of a page load the first slide needed: what had arrived when it was painted. */
function firstSlideFigures(load: FirstSlideLoad, heavy: Map<string, string[]>, url: string) {
  const heavyBeforePaint = load.beforePaint.flatMap((request) => {
    const path = request.url.startsWith(url) ? request.url.slice(url.length) : ''
    return (heavy.get(path) ?? []).map(part => `${part} (${path})`)
  })
  return {
    paintedMs: round(load.paintedMs),
    requests: load.beforePaint.filter(request => !request.url.startsWith('data:')).length,
    bytes: sum(load.beforePaint.map(request => request.bodyBytes)),
    gzipBytes: sum(load.beforePaint.map(request => request.gzipBytes)),
    wireBytes: sum(load.beforePaint.map(request => request.transferBytes)),
    heavyBeforePaint,
  }
}

type FirstSlideFigures = ReturnType<typeof firstSlideFigures>

/** Medians of throttled runs of one first screen. */
function medianFigures(runs: FirstSlideFigures[]) {
  return {
    paintedMs: median(runs.map(run => run.paintedMs)),
    paintedMsRuns: runs.map(run => run.paintedMs),
    requests: median(runs.map(run => run.requests)),
    bytes: median(runs.map(run => run.bytes)),
    gzipBytes: median(runs.map(run => run.gzipBytes)),
    wireBytes: median(runs.map(run => run.wireBytes)),
    heavyBeforePaint: [...new Set(runs.flatMap(run => run.heavyBeforePaint))],
  }
}

type ReadingFigures = ReturnType<typeof medianFigures> & {
  /** Its median time over the slides view's first slide in the same runs: the floor it is compared with */
  paintedRatio: number
}

interface DeckResults {
  buildMs: number
  site: ReturnType<typeof siteSize>
  heavyFiles: Record<string, string[]>
  firstSlideUnthrottled: FirstSlideFigures
  foreignRequests: string[]
  requestsAfterPreload: number
  firstSlide: Omit<FirstSlideFigures, 'paintedMs'> & { throttle: typeof THROTTLE, viewport: string, paintedMs: number, paintedMsRuns: number[] }
  /** The reading view's first screen (#/read), throttled, measured in the same runs as `firstSlide` */
  readingFirstScreen: ReadingFigures
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

async function main() {
  step('Building the deck (slidev build)')
  const out = join(work, 'dist')
  const build = await buildDeck(out)
  const heavy = heavyFiles(out)
  const deck = { buildMs: round(build.ms), site: siteSize(out), heavyFiles: Object.fromEntries(heavy) } as DeckResults
  const results: Results = { tool: 'bench/bench.ts', machine: machine(), deck }

  const browser = await launchChromium()
  const server = await serveDeck(out, deckBase)
  try {
    // A phone opening the deck's address gets the reading view (setup/routes.ts): the slides view is #/1.
    const slidesUrl = `${server.url}#/1`
    const readingUrl = `${server.url}#/read`
    step('First slide, unthrottled, then 4 s more (Slidev preloads the other slides after 3 s)')
    const open = await loadFirstSlide(browser, slidesUrl, { throttle: false, settleMs: 4000 })
    deck.firstSlideUnthrottled = firstSlideFigures(open, heavy, server.url)
    deck.foreignRequests = open.foreign
    deck.requestsAfterPreload = open.all.filter(request => !request.url.startsWith('data:')).length

    step(`First slide and the reading view's first screen under throttling (${THROTTLE.downloadKbps} kbit/s, ${THROTTLE.rttMs} ms RTT, ${THROTTLE.cpuSlowdown}× CPU), ${runs} run(s) each, in turns`)
    const throttled = []
    const reading = []
    for (let i = 0; i < runs; i++) {
      // In turns, so a busy moment of the shared machine slows both alike.
      const slide = await loadFirstSlide(browser, slidesUrl, { throttle: true })
      throttled.push(firstSlideFigures(slide, heavy, server.url))
      const read = await loadFirstSlide(browser, readingUrl, { throttle: true, screen: 'reading' })
      reading.push(firstSlideFigures(read, heavy, server.url))
      console.error(`  run ${i + 1}: slide 1 painted at ${round(slide.paintedMs)} ms, reading view at ${round(read.paintedMs)} ms`)
    }
    deck.firstSlide = { throttle: THROTTLE, viewport: '390×844, touch, 3× pixel ratio', ...medianFigures(throttled) }
    const readingFigures = medianFigures(reading)
    deck.readingFirstScreen = { ...readingFigures, paintedRatio: round(readingFigures.paintedMs / deck.firstSlide.paintedMs, 2) }
  }
  finally {
    await server.stop()
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
  rmSync(work, { recursive: true, force: true })
  if (values.strict && checks.some(check => check.over))
    process.exit(1)
}

interface Check { figure: string, value: number, budget: number, unit: string, over: boolean }

function budgetChecks(results: Results): Check[] {
  const deck = results.deck
  const checks: Check[] = [
    { figure: 'first slide, gzip bytes until painted', value: round(deck.firstSlide.gzipBytes / KiB, 1), budget: BUDGETS.firstSlideKiB, unit: 'KiB', over: false },
    { figure: 'first slide painted, throttled', value: deck.firstSlide.paintedMs, budget: BUDGETS.firstSlideMs, unit: 'ms', over: false },
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
    ['First slide: gzip bytes until painted', kib(deck.firstSlide.gzipBytes), `≤ ${BUDGETS.firstSlideKiB} KiB`, 'first slide, gzip bytes until painted'],
    ['First slide painted, throttled (median)', `${deck.firstSlide.paintedMs} ms`, `≤ ${BUDGETS.firstSlideMs} ms`, 'first slide painted, throttled'],
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
