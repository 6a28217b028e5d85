// Benchmark of the chat app on the embedded store (SQLite file, WAL, synchronous=FULL).
//
//   node chat-demo/app/bench/bench.ts [--duration SECONDS] [--json PATH]
//
// Prints a table: start-up to ready, idle memory next to a bare `node -e` process, POST and GET
// requests/s with p50/p99 latency at 1, 16 and 64 connections (autocannon), and messages lost
// (acknowledged with 201 but not in the database: must be 0, otherwise the exit code is 1).
// Then the crowd (bench/crowd.ts): 1,000 live-stream clients, a flooder and 50 senders through the
// audience's port with the production heap, and the page in Chromium while 2,000 messages arrive;
// the exit code is 1 if a message is lost or the peak RSS passes the pod's 256 MiB.
// The numbers also go to a JSON file (default chat-demo/app/bench/results.json) for the main bench.
import type { ChildProcess } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { DatabaseSync } from 'node:sqlite'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { launchChromium } from '../../../tools/chromium.ts'
import { crowdBench, POD_LIMIT_MB, printCrowd } from './crowd.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const DEFAULT_JSON = fileURLToPath(new URL('./results.json', import.meta.url))
const STARTS = 5
const CONNECTIONS = [1, 16, 64]

const { values } = parseArgs({
  options: {
    'duration': { type: 'string', default: '5' },
    'crowd-seconds': { type: 'string', default: '20' },
    'skip-ui': { type: 'boolean', default: false },
    'json': { type: 'string', default: DEFAULT_JSON },
    'help': { type: 'boolean', short: 'h', default: false },
  },
})
if (values.help) {
  console.log('Usage: node chat-demo/app/bench/bench.ts [--duration SECONDS] [--crowd-seconds SECONDS] [--skip-ui] [--json PATH]')
  process.exit(0)
}
const duration = Number(values.duration)
if (!Number.isFinite(duration) || duration <= 0) {
  console.error('--duration must be a positive number of seconds')
  process.exit(2)
}

const dir = mkdtempSync(join(tmpdir(), 'chat-bench-'))
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>(r => probe.listen(0, '127.0.0.1', r))
  const { port } = probe.address() as AddressInfo
  await new Promise(r => probe.close(r))
  return port
}

/** Resident memory in MB, from /proc (Linux) or ps (macOS). */
function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1])
    return kb / 1024
  }
  catch {
    const out = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).stdout
    return Number(out.trim()) / 1024
  }
}

interface Server {
  child: ChildProcess
  url: string
  db: string
  stop: () => Promise<void>
}

/** Starts `node src/main.ts` and resolves once /api/readyz answers 200, with the time that took. */
async function startServer(name: string): Promise<{ server: Server, readyMs: number }> {
  const port = await freePort()
  const db = join(dir, `${name}.db`)
  const started = performance.now()
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), AUDIENCE_PORT: String(await freePort()), SQLITE_PATH: db, LOG_FORMAT: 'json', POD_NAME: 'bench', NODE_NAME: 'bench' },
    stdio: 'ignore',
  })
  const url = `http://127.0.0.1:${port}`
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the chat exited with ${child.exitCode} during start-up`)
    try {
      if ((await fetch(`${url}/api/readyz`)).ok)
        break
    }
    catch {
      // not listening yet
    }
    await sleep(5)
  }
  const readyMs = performance.now() - started
  const stop = () =>
    new Promise<void>((r) => {
      if (child.exitCode !== null)
        return r()
      child.once('exit', () => r())
      child.kill('SIGTERM')
    })
  return { server: { child, url, db, stop }, readyMs }
}

async function bareNodeRss(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  await sleep(1000)
  const rss = rssMb(child.pid as number)
  child.kill()
  return rss
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

interface LoadRow {
  method: 'POST' | 'GET'
  path: string
  connections: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  ok: number
  non2xx: number
  errors: number
}

async function main() {
  console.log(`Chat app benchmark — embedded SQLite (file, WAL, synchronous=FULL), Node ${process.version}, ${cpus().length} CPUs, ${duration} s per load run\n`)

  // 1. Start-up to ready.
  const startups: number[] = []
  for (let i = 0; i < STARTS; i++) {
    const { server, readyMs } = await startServer(`startup-${i}`)
    startups.push(readyMs)
    await server.stop()
  }

  // 2. Idle memory, next to a bare node process.
  const { server } = await startServer('load')
  await sleep(1000)
  const chatRss = rssMb(server.child.pid as number)
  const bareRss = await bareNodeRss()

  // 3. Load: POST then GET at each connection count.
  const rows: LoadRow[] = []
  let acknowledged = 0
  for (const connections of CONNECTIONS) {
    const post = await autocannon({
      url: `${server.url}/api/messages`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'benchmark message' }),
      connections,
      duration,
    })
    acknowledged += post.statusCodeStats['201']?.count ?? 0
    rows.push(row('POST', '/api/messages', connections, post, '201'))
    const get = await autocannon({ url: `${server.url}/api/messages?limit=50`, connections, duration })
    rows.push(row('GET', '/api/messages?limit=50', connections, get, '200'))
  }
  const afterLoadRss = rssMb(server.child.pid as number)
  await server.stop()

  // 4. Messages lost: acknowledged (201) but not in the database after a clean stop.
  const db = new DatabaseSync(server.db, { readOnly: true })
  const stored = Number((db.prepare('SELECT COUNT(*) AS n FROM messages').get() as { n: number }).n)
  db.close()
  const lost = Math.max(0, acknowledged - stored)

  // 5. The crowd.
  const browser = values['skip-ui'] ? undefined : await launchChromium()
  let crowd
  try {
    crowd = await crowdBench({ dir, ports: { speaker: await freePort(), audience: await freePort() }, seconds: Number(values['crowd-seconds']), browser })
  }
  finally {
    await browser?.close()
  }

  const result = {
    tool: 'chat-demo/app/bench/bench.ts',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    store: 'sqlite-file-wal-full',
    durationSeconds: duration,
    startupToReadyMs: { median: round(median(startups)), min: round(Math.min(...startups)), runs: STARTS },
    idleRssMb: { chat: round(chatRss), bareNode: round(bareRss), chatAfterLoad: round(afterLoadRss) },
    load: rows,
    messages: { acknowledged, stored, lost },
    crowd,
  }

  printTable(result)
  printCrowd(crowd)
  const jsonPath = resolve(values.json as string)
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`)
  console.log(`\nNumbers written to ${jsonPath}`)
  rmSync(dir, { recursive: true, force: true })
  if (lost > 0 || crowd.messages.lost > 0 || crowd.peakRssMb >= POD_LIMIT_MB)
    process.exit(1)
}

function row(method: LoadRow['method'], path: string, connections: number, r: Awaited<ReturnType<typeof autocannon>>, okStatus: string): LoadRow {
  return {
    method,
    path,
    connections,
    requestsPerSecond: round(r.requests.average, 0),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    ok: r.statusCodeStats[okStatus]?.count ?? 0,
    non2xx: r.non2xx,
    errors: r.errors,
  }
}

function printTable(r: {
  startupToReadyMs: { median: number, min: number, runs: number }
  idleRssMb: { chat: number, bareNode: number, chatAfterLoad: number }
  load: LoadRow[]
  messages: { acknowledged: number, stored: number, lost: number }
}) {
  const pad = (s: string | number, n: number) => String(s).padStart(n)
  console.log(`Start-up to ready   ${r.startupToReadyMs.median} ms median (min ${r.startupToReadyMs.min} ms, ${r.startupToReadyMs.runs} starts)`)
  console.log(
    `Idle memory (RSS)   chat ${r.idleRssMb.chat} MB · bare \`node -e\` ${r.idleRssMb.bareNode} MB · difference ${round(r.idleRssMb.chat - r.idleRssMb.bareNode)} MB (chat after the load: ${r.idleRssMb.chatAfterLoad} MB)`,
  )
  console.log('')
  console.log(`${'Request'.padEnd(30)}${pad('conns', 6)}${pad('req/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('ok', 9)}${pad('non-2xx', 9)}${pad('errors', 8)}`)
  for (const l of r.load) {
    console.log(`${`${l.method} ${l.path}`.padEnd(30)}${pad(l.connections, 6)}${pad(l.requestsPerSecond, 9)}${pad(l.p50Ms, 9)}${pad(l.p99Ms, 9)}${pad(l.ok, 9)}${pad(l.non2xx, 9)}${pad(l.errors, 8)}`)
  }
  console.log('')
  console.log(`Messages            ${r.messages.acknowledged} acknowledged, ${r.messages.stored} stored, ${r.messages.lost} lost`)
}

await main()
