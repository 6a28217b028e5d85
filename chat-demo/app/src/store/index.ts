// Chooses the store from the configuration: rqlite when RQLITE_URL is set, embedded SQLite otherwise.
import type { Config } from '../config.ts'
import type { Store } from './types.ts'
import { createRqliteStore } from './rqlite.ts'
import { createSqliteStore } from './sqlite.ts'

export function createStore(config: Pick<Config, 'rqliteUrl' | 'sqlitePath'>): Store {
  return config.rqliteUrl ? createRqliteStore(config.rqliteUrl) : createSqliteStore(config.sqlitePath)
}

export { StoreError } from './types.ts'
export type { CommandResult, CommandStatus, Message, NewMessage, Store } from './types.ts'
