// A TEST DOUBLE of rqlite's documented HTTP API (https://rqlite.io/docs/api/api/), not rqlite:
// one node, backed by an in-memory node:sqlite database. It answers like rqlite does:
//   POST /db/execute[?transaction]  [["SQL", param, ...], "SQL", ...] → {"results":[{"last_insert_id","rows_affected"}]}
//   POST /db/query[?associative]    → {"results":[{"types","rows"}]} or {"results":[{"columns","types","values"}]}
//   SQL errors come back with HTTP 200 as {"results":[{"error":"..."}]}
//   GET /readyz, GET /status
// stop() closes the port (connection refused, like a restarting sidecar); start() opens it again with
// the same data, like rqlite restarting on its data directory.
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Buffer } from 'node:buffer'
import { createServer } from 'node:http'
import { DatabaseSync } from 'node:sqlite'

type Param = string | number | boolean | null
export interface RqliteDouble {
  url: string
  /** Every statement received, as [sql, ...params]. */
  statements: unknown[][]
  /** The next n requests to /db/* answer 503 like a node without a leader. */
  failNext: (n: number) => void
  /** The next n writes (/db/execute) are committed, but answered 503: the commit came too late for the answer. */
  commitThenFailNext: (n: number) => void
  stop: () => Promise<void>
  start: () => Promise<void>
  count: (table: string) => number
  close: () => Promise<void>
}

export async function startRqliteDouble(port = 0): Promise<RqliteDouble> {
  const db = new DatabaseSync(':memory:')
  const statements: unknown[][] = []
  let failures = 0
  let lateCommits = 0
  let server: Server | undefined

  const bind = (p: Param) => (typeof p === 'number' && Number.isInteger(p) ? BigInt(p) : typeof p === 'boolean' ? Number(p) : p)
  const plain = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v)
  const parse = (item: unknown): { sql: string, params: Param[] } => {
    if (typeof item === 'string')
      return { sql: item, params: [] }
    if (Array.isArray(item) && typeof item[0] === 'string')
      return { sql: item[0], params: item.slice(1) as Param[] }
    throw new Error('statement must be a string or an array starting with a string')
  }

  const execute = (body: unknown[], transaction: boolean) => {
    const results: Record<string, unknown>[] = []
    if (transaction)
      db.exec('BEGIN')
    for (const item of body) {
      try {
        const { sql, params } = parse(item)
        statements.push([sql, ...params])
        const r = db.prepare(sql).run(...params.map(bind))
        results.push({ last_insert_id: Number(r.lastInsertRowid), rows_affected: Number(r.changes) })
      }
      catch (error) {
        results.push({ error: (error as Error).message })
        if (transaction) {
          db.exec('ROLLBACK')
          return results
        }
      }
    }
    if (transaction)
      db.exec('COMMIT')
    return results
  }

  const query = (body: unknown[], associative: boolean) =>
    body.map((item) => {
      try {
        const { sql, params } = parse(item)
        statements.push([sql, ...params])
        if (!/^\s*(?:select|with|pragma)\b/i.test(sql))
          return { error: 'attempt to change database via query operation' }
        const stmt = db.prepare(sql)
        const rows = stmt.all(...params.map(bind)) as Record<string, unknown>[]
        const columns = stmt.columns().map(c => c.name)
        const types = Object.fromEntries(stmt.columns().map(c => [c.name, (c.type ?? '').toLowerCase()]))
        if (associative)
          return { types, rows: rows.map(row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)]))) }
        return { columns, types: columns.map(c => types[c]), values: rows.map(row => columns.map(c => plain(row[c]))) }
      }
      catch (error) {
        return { error: (error as Error).message }
      }
    })

  const handler = async (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://double')
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.method === 'GET' && url.pathname === '/readyz') {
      res.writeHead(200, { 'content-type': 'text/plain' })
      return res.end('[+]node ok\n[+]leader ok\n[+]store ok\n')
    }
    if (req.method === 'GET' && url.pathname === '/status')
      return json(200, { store: { db_conf: { memory: true } }, build: { version: 'double' } })
    if (url.pathname.startsWith('/db/') && failures > 0) {
      failures--
      res.writeHead(503, { 'content-type': 'text/plain' })
      return res.end('leadership lost while committing log\n')
    }
    if (req.method !== 'POST' || (url.pathname !== '/db/execute' && url.pathname !== '/db/query')) {
      res.writeHead(404, { 'content-type': 'text/plain' })
      return res.end('404 page not found\n')
    }
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      if (!Array.isArray(body))
        throw new TypeError('not an array')
    }
    catch {
      res.writeHead(400, { 'content-type': 'text/plain' })
      return res.end('invalid request\n')
    }
    const results
      = url.pathname === '/db/execute' ? execute(body, url.searchParams.has('transaction')) : query(body, url.searchParams.has('associative'))
    if (url.pathname === '/db/execute' && lateCommits > 0) {
      lateCommits--
      res.writeHead(503, { 'content-type': 'text/plain' })
      return res.end('timeout waiting for the commit to be applied\n')
    }
    return json(200, { results })
  }

  let boundPort = port
  const start = async () => {
    server = createServer((req, res) => void handler(req, res))
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject)
      server?.listen(boundPort, '127.0.0.1', () => resolve())
    })
    boundPort = (server.address() as AddressInfo).port
  }
  const stop = async () => {
    const s = server
    server = undefined
    if (!s)
      return
    s.closeAllConnections()
    await new Promise<void>(resolve => s.close(() => resolve()))
  }
  await start()

  return {
    url: `http://127.0.0.1:${boundPort}`,
    statements,
    failNext: (n) => {
      failures = n
    },
    commitThenFailNext: (n) => {
      lateCommits = n
    },
    stop,
    start,
    count: table => Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n),
    async close() {
      await stop()
      db.close()
    },
  }
}
