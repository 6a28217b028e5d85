// The one schema and the SQL both adapters send: only parameterized statements.
import type { CommandResult, Message, NewMessage, Page } from './types.ts'

export const SCHEMA: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    text        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    pod         TEXT NOT NULL,
    node        TEXT NOT NULL,
    command     TEXT,
    status      TEXT CHECK (status IN ('running', 'ok', 'error', 'timeout')),
    output      TEXT,
    finished_at TEXT,
    hidden      INTEGER NOT NULL DEFAULT 0,
    client_key  TEXT
  )`,
]

/** Columns added after the first version: a database from then gets them on start. */
export const MIGRATIONS: readonly string[] = [
  'ALTER TABLE messages ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0',
  'ALTER TABLE messages ADD COLUMN client_key TEXT',
]
/** What SQLite says when a migration ran before. */
export const ALREADY_MIGRATED = /duplicate column name/i

export const INDEXES: readonly string[] = [
  `CREATE INDEX IF NOT EXISTS messages_running ON messages (status) WHERE status = 'running'`,
  // The client's idempotency key: a retried post finds its first copy instead of storing a second.
  'CREATE UNIQUE INDEX IF NOT EXISTS messages_client_key ON messages (client_key)',
]

type Param = string | number | null
export interface Statement {
  sql: string
  params: Param[]
}

const COLUMNS = 'id, text, created_at, pod, node, command, status, output, finished_at'

/** With a key, a second insert of the same key changes nothing (rows affected: 0). */
export function insertStatement(m: NewMessage, key?: string): Statement {
  return {
    sql: 'INSERT INTO messages (text, created_at, pod, node, command, status, output, finished_at, client_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_key) DO NOTHING',
    params: [m.text, m.createdAt, m.pod, m.node, m.command, m.status, m.output, m.finishedAt, key ?? null],
  }
}

export function byKeyStatement(key: string): Statement {
  return { sql: `SELECT ${COLUMNS} FROM messages WHERE client_key = ?`, params: [key] }
}

export function hideStatement(id: number): Statement {
  return { sql: 'UPDATE messages SET hidden = 1 WHERE id = ?', params: [id] }
}

export function finishStatement(id: number, r: CommandResult): Statement {
  return {
    sql: 'UPDATE messages SET status = ?, output = ?, finished_at = ? WHERE id = ? AND status = \'running\'',
    params: [r.status, r.output, r.finishedAt, id],
  }
}

/** Every command still "running": at start-up none of them can be ours (one replica, Recreate). */
export function interruptStatement(r: CommandResult): Statement {
  return {
    sql: 'UPDATE messages SET status = ?, output = ?, finished_at = ? WHERE status = \'running\'',
    params: [r.status, r.output, r.finishedAt],
  }
}

export function listStatement(page: Page): Statement {
  return page.before === undefined
    ? { sql: `SELECT ${COLUMNS} FROM messages WHERE hidden = 0 ORDER BY id DESC LIMIT ?`, params: [page.limit] }
    : { sql: `SELECT ${COLUMNS} FROM messages WHERE hidden = 0 AND id < ? ORDER BY id DESC LIMIT ?`, params: [page.before, page.limit] }
}

export const PING: Statement = { sql: 'SELECT 1 AS ok', params: [] }

/** A row as both SQLite and rqlite return it (column name → value). */
export function rowToMessage(row: Record<string, unknown>): Message {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v))
  return {
    id: Number(row.id),
    text: String(row.text),
    createdAt: String(row.created_at),
    pod: String(row.pod),
    node: String(row.node),
    command: str(row.command),
    status: str(row.status) as Message['status'],
    output: str(row.output),
    finishedAt: str(row.finished_at),
  }
}
