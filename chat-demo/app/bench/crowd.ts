// The crowd benchmark (part of `npm run bench:chat`): the chat as a room uses it through the funnel,
// with the pod's production heap (NODE_OPTIONS of chat.yaml; memory limit 256 MiB).
//
//   1,000 live-stream clients on the audience's port, 100 of which never read a byte,
//   one sender flooding as fast as it can, 50 others posting one message every 3 s,
//   then a Chromium page (and a bare EventSource page as the floor) while 2,000 messages arrive.
//
// Figures: the normal senders' p99 next to the same senders on an idle server (the floor, same run),
// the server's peak RSS (VmHWM), messages acknowledged (201) vs stored (0 lost), live-stream clients
// dropped, and the page's longest main-thread task next to the bare page's.
import type { Buffer } from 'node:buffer'
import type { ChildProcess } from 'node:child_process'
import type { Socket } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import process from 'node:process'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
export const POD_LIMIT_MB = 256
/** NODE_OPTIONS of chat-demo/manifests/chat.yaml (a test keeps them equal). */
export const PRODUCTION_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8']
export const UI_TASK_TARGET_MS = 200

export interface CrowdResult {
  clients: { total: number, neverReading: number, dropped: number }
  normalSenders: { senders: number, posted: number, p50Ms: number, p99Ms: number, idleP99Ms: number, ratio: number, refused: number }
  flooder: { attempts: number, accepted: number, refused: number }
  messages: { acknowledged: number, stored: number, lost: number }
  peakRssMb: number
  ui: { messages: number, longestTaskMs: number, floorLongestTaskMs: number, shownAtEnd: number } | null
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits
function quantile(xs: number[], q: number) {
  if (xs.length === 0)
    return 0
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

interface Chat {
  child: ChildProcess
  speaker: string
  audience: string
  db: string
  logs: string[]
  stop: () => Promise<void>
}

async function startChat(dir: string, ports: { speaker: number, audience: number }): Promise<Chat> {
  const db = join(dir, 'crowd.db')
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(ports.speaker),
      AUDIENCE_PORT: String(ports.audience),
      SQLITE_PATH: db,
      LOG_FORMAT: 'json',
      POD_NAME: 'bench',
      NODE_NAME: 'bench',
    },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  const logs: string[] = []
  let buffer = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8')
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    // Only the warnings matter here; request lines would make this array large.
    for (const line of lines) {
      if (line.includes('"warn"'))
        logs.push(line)
    }
  })
  const speaker = `http://127.0.0.1:${ports.speaker}`
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the chat exited with ${child.exitCode} during start-up`)
    try {
      if ((await fetch(`${speaker}/api/readyz`)).ok)
        break
    }
    catch {
      // not listening yet
    }
    await sleep(10)
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null)
        return resolve()
      child.once('exit', () => resolve())
      child.kill('SIGTERM')
    })
  return { child, speaker, audience: `http://127.0.0.1:${ports.audience}`, db, logs, stop }
}

/** The peak resident memory of a process so far (VmHWM), in MiB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024
}

/** A live-stream client over a raw socket: reads and discards, or never reads at all. */
function streamClient(base: string, reading: boolean): Promise<Socket> {
  const url = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(`GET /api/events HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n\r\n`)
      if (reading)
        socket.on('data', () => {})
      else socket.pause()
      resolve(socket)
    })
    socket.on('error', () => {})
    socket.once('error', reject)
  })
}

async function senderCookie(audience: string): Promise<string> {
  const page = await fetch(`${audience}/`)
  await page.arrayBuffer()
  return page.headers.get('set-cookie')?.split(';')[0] ?? ''
}

async function post(base: string, text: string, cookie?: string): Promise<{ status: number, ms: number }> {
  const started = performance.now()
  try {
    const response = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ text }),
    })
    await response.arrayBuffer()
    return { status: response.status, ms: performance.now() - started }
  }
  catch {
    return { status: 0, ms: performance.now() - started }
  }
}

/** 50 people, each posting every 3 s for `seconds`; their latencies and statuses. */
async function normalSenders(audience: string, cookies: string[], seconds: number, tag: string) {
  const latencies: number[] = []
  const statuses: number[] = []
  const end = performance.now() + seconds * 1000
  await Promise.all(
    cookies.map(async (cookie, i) => {
      await sleep((i * 3000) / cookies.length) // spread over the interval
      for (let n = 0; performance.now() < end; n++) {
        const next = performance.now() + 3000
        const answer = await post(audience, `crowd ${tag} ${i}-${n}`, cookie)
        statuses.push(answer.status)
        if (answer.status === 201)
          latencies.push(answer.ms)
        await sleep(Math.max(0, next - performance.now()))
      }
    }),
  )
  return { latencies, statuses }
}

/** The page's longest main-thread task while `count` messages arrive, and the same for a bare EventSource page. */
async function uiUnderFlood(browser: Browser, chat: Chat, count: number) {
  const watchTasks = (page: Page) =>
    page.addInitScript(() => {
      const w = window as unknown as { __longest: number }
      w.__longest = 0
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longest = Math.max(w.__longest, entry.duration)
      }).observe({ type: 'longtask', buffered: false })
    })
  const chatPage = await browser.newPage({ viewport: { width: 390, height: 844 } })
  const barePage = await browser.newPage()
  try {
    await watchTasks(chatPage)
    await watchTasks(barePage)
    await chatPage.goto(chat.audience)
    await chatPage.waitForSelector('#status[data-state="live"]')
    // The floor: the same events into a page that only counts them (same origin, no chat page).
    await barePage.goto(`${chat.audience}/api/healthz`)
    await barePage.evaluate(() => {
      const w = window as unknown as { __count: number }
      w.__count = 0
      const events = new EventSource('/api/events')
      events.addEventListener('message', () => w.__count++)
      return new Promise(resolve => events.addEventListener('hello', resolve))
    })
    const reset = () => (window as unknown as { __longest: number }).__longest = 0
    await chatPage.evaluate(reset)
    await barePage.evaluate(reset)
    // 2,000 messages from the speaker's side (not rate-limited), 16 at a time.
    let next = 0
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count) await post(chat.speaker, `ui flood ${next++}`)
      }),
    )
    await barePage.waitForFunction(n => (window as unknown as { __count: number }).__count >= n, count, { timeout: 120_000 })
    await chatPage.waitForFunction(n => [...document.querySelectorAll('#messages .text')].some(t => t.textContent === `ui flood ${n}`), count - 1, { timeout: 120_000 }).catch(() => {})
    const longest = (page: Page) => page.evaluate(() => (window as unknown as { __longest: number }).__longest)
    return {
      messages: count,
      longestTaskMs: round(await longest(chatPage), 0),
      floorLongestTaskMs: round(await longest(barePage), 0),
      shownAtEnd: await chatPage.locator('#messages li').count(),
    }
  }
  finally {
    await chatPage.close()
    await barePage.close()
  }
}

export async function crowdBench(options: { dir: string, ports: { speaker: number, audience: number }, seconds: number, browser?: Browser }): Promise<CrowdResult> {
  const chat = await startChat(options.dir, options.ports)
  const sockets: Socket[] = []
  try {
    const cookies = await Promise.all(Array.from({ length: 50 }, () => senderCookie(chat.audience)))
    const flooderCookie = await senderCookie(chat.audience)

    // The floor: the same 50 senders on the idle server (no streams, no flood).
    const idle = await normalSenders(chat.audience, cookies, Math.min(options.seconds, 6), 'idle')

    // 1,000 live-stream clients, 100 of them never reading.
    for (let i = 0; i < 1000; i += 50) {
      sockets.push(...(await Promise.all(Array.from({ length: 50 }, (_, j) => streamClient(chat.audience, (i + j) % 10 !== 0)))))
    }

    // The flood and the room at once.
    let flooding = true
    const flood = { attempts: 0, accepted: 0, refused: 0 }
    const flooder = Promise.all(
      Array.from({ length: 4 }, async () => {
        // eslint-disable-next-line no-unmodified-loop-condition -- set to false below once the room is done, while these loops await
        while (flooding) {
          const answer = await post(chat.audience, `crowd flood ${flood.attempts++} ${'x'.repeat(1500)}`, flooderCookie)
          if (answer.status === 201)
            flood.accepted++
          else flood.refused++
        }
      }),
    )
    const room = await normalSenders(chat.audience, cookies, options.seconds, 'room')
    flooding = false
    await flooder
    const dropped = chat.logs.filter(l => l.includes('dropped a live-stream client')).length
    for (const socket of sockets.splice(0)) socket.destroy()

    const ui = options.browser ? await uiUnderFlood(options.browser, chat, 2000) : null
    const peak = peakRssMb(chat.child.pid as number)
    await chat.stop()

    const acknowledged = idle.statuses.filter(s => s === 201).length + room.statuses.filter(s => s === 201).length + flood.accepted + (ui ? ui.messages : 0)
    const db = new DatabaseSync(chat.db, { readOnly: true })
    const stored = Number((db.prepare('SELECT COUNT(*) AS n FROM messages WHERE text LIKE \'crowd %\' OR text LIKE \'ui flood %\'').get() as { n: number }).n)
    db.close()
    const idleP99 = quantile(idle.latencies, 0.99)
    const p99 = quantile(room.latencies, 0.99)
    return {
      clients: { total: 1000, neverReading: 100, dropped },
      normalSenders: {
        senders: cookies.length,
        posted: room.latencies.length,
        p50Ms: round(quantile(room.latencies, 0.5)),
        p99Ms: round(p99),
        idleP99Ms: round(idleP99),
        ratio: round(p99 / Math.max(idleP99, 0.1), 1),
        refused: room.statuses.filter(s => s !== 201).length,
      },
      flooder: flood,
      messages: { acknowledged, stored, lost: Math.max(0, acknowledged - stored) },
      peakRssMb: round(peak),
      ui,
    }
  }
  finally {
    for (const socket of sockets) socket.destroy()
    await chat.stop()
  }
}

export function printCrowd(r: CrowdResult) {
  const n = r.normalSenders
  console.log('')
  console.log(`Crowd               ${r.clients.total} live-stream clients on the audience port (${r.clients.neverReading} never read; ${r.clients.dropped} dropped), 1 flooder, ${n.senders} senders posting every 3 s, node ${PRODUCTION_NODE_FLAGS.join(' ')}`)
  console.log(`  normal senders    p50 ${n.p50Ms} ms, p99 ${n.p99Ms} ms · idle server p99 ${n.idleP99Ms} ms (floor) · ratio ${n.ratio}× · ${n.posted} posted, ${n.refused} refused`)
  console.log(`  flooder           ${r.flooder.attempts} attempts, ${r.flooder.accepted} accepted, ${r.flooder.refused} refused (429)`)
  console.log(`  server peak RSS   ${r.peakRssMb} MiB (pod limit ${POD_LIMIT_MB} MiB)`)
  console.log(`  messages          ${r.messages.acknowledged} acknowledged, ${r.messages.stored} stored, ${r.messages.lost} lost`)
  if (r.ui) {
    console.log(`  page, ${r.ui.messages} arriving  longest main-thread task ${r.ui.longestTaskMs} ms (target ≤ ${UI_TASK_TARGET_MS} ms) · bare EventSource page ${r.ui.floorLongestTaskMs} ms (floor) · ${r.ui.shownAtEnd} messages on screen`)
  }
}
