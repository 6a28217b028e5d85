// Embedded store: SQLite in the process (node:sqlite). The default, so a laptop needs no set-up.
import type { Statement } from './schema.ts'
import type { Store } from './types.ts'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { ALREADY_MIGRATED, byKeyStatement, finishStatement, hideStatement, INDEXES, insertStatement, interruptStatement, listStatement, MIGRATIONS, PING, rowToMessage, SCHEMA } from './schema.ts'
import { StoreError } from './types.ts'

/** path: a file (its directory is created) or ':memory:'. */
export function createSqliteStore(path: string): Store {
  let db: DatabaseSync | undefined

  const open = (): DatabaseSync => {
    if (db)
      return db
    if (path !== ':memory:')
      mkdirSync(dirname(path), { recursive: true })
    const opened = new DatabaseSync(path)
    // WAL lets readers run beside the writer; FULL makes every acknowledged commit survive a power cut.
    opened.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;')
    db = opened
    return opened
  }

  const guard = <T>(what: string, fn: (db: DatabaseSync) => T): T => {
    try {
      return fn(open())
    }
    catch (error) {
      throw new StoreError(`SQLite (${path}) ${what} failed: ${(error as Error).message}`, { cause: error })
    }
  }
  const run = (s: Statement) => guard('write', d => d.prepare(s.sql).run(...s.params))
  const all = (s: Statement) => guard('read', d => d.prepare(s.sql).all(...s.params))

  return {
    kind: 'sqlite',
    location: path,
    async init() {
      guard('schema creation', (d) => {
        for (const sql of SCHEMA) d.exec(sql)
        for (const sql of MIGRATIONS) {
          try {
            d.exec(sql)
          }
          catch (error) {
            if (!ALREADY_MIGRATED.test((error as Error).message))
              throw error
          }
        }
        for (const sql of INDEXES) d.exec(sql)
      })
    },
    async insert(message, key) {
      const { changes, lastInsertRowid } = run(insertStatement(message, key))
      if (Number(changes) === 1)
        return { message: { id: Number(lastInsertRowid), ...message }, created: true }
      const [row] = all(byKeyStatement(key ?? ''))
      if (!row)
        throw new StoreError('SQLite stored nothing and found no message with that key')
      return { message: rowToMessage(row as Record<string, unknown>), created: false }
    },
    async hide(id) {
      return Number(run(hideStatement(id)).changes) > 0
    },
    async finish(id, result) {
      run(finishStatement(id, result))
    },
    async list(page) {
      return all(listStatement(page)).map(row => rowToMessage(row as Record<string, unknown>))
    },
    async interruptRunning(result) {
      return Number(run(interruptStatement(result)).changes)
    },
    async ping() {
      all(PING)
    },
    async close() {
      db?.close()
      db = undefined
    },
  }
}
