// rqlite store: the SQLite sidecar of the cluster, over its HTTP API (https://rqlite.io/docs/api/api/).
// Only parameterized statements: [["INSERT ... VALUES(?, ?)", "a", 2]]. rqlite reports SQL errors
// inside a 200 answer ({"results":[{"error":"..."}]}), so every answer is checked for `error`.
import type { Statement } from './schema.ts'
import type { Store } from './types.ts'
import { Buffer } from 'node:buffer'
import { readBounded, TooLargeError } from '../bounded-read.ts'
import { describeFetchError } from '../fetch-error.ts'
import { ALREADY_MIGRATED, byKeyStatement, finishStatement, hideStatement, INDEXES, insertStatement, interruptStatement, listStatement, MIGRATIONS, PING, rowToMessage, SCHEMA } from './schema.ts'
import { StoreError } from './types.ts'

interface RqliteResult {
  error?: string
  last_insert_id?: number
  rows_affected?: number
  rows?: Record<string, unknown>[]
}

export interface RqliteOptions {
  /** Per-request timeout. */
  timeoutMs?: number
  /** The most of an answer that is read (the history is read in small pages, see routes/history.ts). */
  maxAnswerBytes?: number
}

export const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024

export function createRqliteStore(url: string, options: RqliteOptions = {}): Store {
  const timeoutMs = options.timeoutMs ?? 10_000
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES
  // fetch refuses URLs with credentials: move user:password into an Authorization header.
  const parsed = new URL(url)
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (parsed.username || parsed.password) {
    const user = decodeURIComponent(parsed.username)
    const password = decodeURIComponent(parsed.password)
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`
    parsed.username = ''
    parsed.password = ''
  }
  const base = parsed.toString().replace(/\/+$/, '')

  async function request(path: string, statements: Statement[]): Promise<RqliteResult[]> {
    const body = JSON.stringify(statements.map(s => [s.sql, ...s.params]))
    let response: Response
    try {
      response = await fetch(base + path, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) })
    }
    catch (error) {
      throw new StoreError(`rqlite not reachable at ${base}: ${describeFetchError(error)}`, { cause: error })
    }
    let text: string
    try {
      text = await readBounded(response, maxAnswerBytes)
    }
    catch (error) {
      if (error instanceof TooLargeError)
        throw new StoreError(`rqlite at ${base} sent an answer larger than ${maxAnswerBytes} bytes`)
      text = ''
    }
    if (!response.ok)
      throw new StoreError(`rqlite at ${base} answered HTTP ${response.status}: ${text.slice(0, 200)}`)
    let answer: { results?: RqliteResult[], error?: string }
    try {
      answer = JSON.parse(text)
    }
    catch {
      throw new StoreError(`rqlite at ${base} sent an answer that is not JSON: ${text.slice(0, 200)}`)
    }
    if (answer.error)
      throw new StoreError(`rqlite: ${answer.error}`)
    const results = answer.results ?? []
    const failed = results.find(r => r.error)
    if (failed)
      throw new StoreError(`rqlite: ${failed.error}`)
    if (results.length !== statements.length) {
      throw new StoreError(`rqlite answered ${results.length} results for ${statements.length} statements`)
    }
    return results
  }

  // ?transaction: the batch is all-or-nothing, so a failure never leaves a statement half-applied.
  const execute = (...statements: Statement[]) => request('/db/execute?transaction', statements)
  const query = async (statement: Statement) => (await request('/db/query?associative', [statement]))[0]?.rows ?? []

  return {
    kind: 'rqlite',
    location: base,
    async init() {
      await execute(...SCHEMA.map(sql => ({ sql, params: [] })))
      for (const sql of MIGRATIONS) {
        try {
          await execute({ sql, params: [] })
        }
        catch (error) {
          if (!ALREADY_MIGRATED.test((error as Error).message))
            throw error
        }
      }
      await execute(...INDEXES.map(sql => ({ sql, params: [] })))
    },
    async insert(message, key) {
      const [result] = await execute(insertStatement(message, key))
      if (result?.rows_affected === 0 && key !== undefined) {
        const [row] = await query(byKeyStatement(key))
        if (!row)
          throw new StoreError('rqlite stored nothing and found no message with that key')
        return { message: rowToMessage(row), created: false }
      }
      const id = result?.last_insert_id
      if (typeof id !== 'number')
        throw new StoreError('rqlite did not return last_insert_id')
      return { message: { id, ...message }, created: true }
    },
    async hide(id) {
      const [result] = await execute(hideStatement(id))
      return (result?.rows_affected ?? 0) > 0
    },
    async finish(id, result) {
      await execute(finishStatement(id, result))
    },
    async list(page) {
      return (await query(listStatement(page))).map(rowToMessage)
    },
    async interruptRunning(result) {
      const [answer] = await execute(interruptStatement(result))
      return answer?.rows_affected ?? 0
    },
    async ping() {
      await query(PING)
    },
    async close() {},
  }
}
