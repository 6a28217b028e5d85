// The store's interface: both adapters (embedded SQLite, rqlite over HTTP) implement it with the same schema.

/** running: a command is still working; the others are final. */
export type CommandStatus = 'running' | 'ok' | 'error' | 'timeout'

export interface Message {
  id: number
  text: string
  /** ISO 8601, UTC */
  createdAt: string
  pod: string
  node: string
  /** The command's name without the slash (e.g. "llm"); null for a plain message. */
  command: string | null
  status: CommandStatus | null
  output: string | null
  finishedAt: string | null
}

export type NewMessage = Omit<Message, 'id'>

export interface Inserted {
  message: Message
  /** false: the key was seen before, message is the first copy. */
  created: boolean
}

export interface CommandResult {
  status: Exclude<CommandStatus, 'running'>
  output: string
  finishedAt: string
}

export interface Page {
  /** Only messages with a smaller id; undefined means "from the newest". */
  before?: number
  limit: number
}

export interface Store {
  readonly kind: 'sqlite' | 'rqlite'
  /** Where the data lives (file path or URL without credentials), for logs and /api/info. */
  readonly location: string
  /** Creates the schema (idempotent). Throws StoreError when the store does not answer. */
  init: () => Promise<void>
  /**
   * Commits one message and returns it with its id. With a key (the client's idempotency key) a
   * message stored before under the same key is returned instead, with created: false.
   */
  insert: (message: NewMessage, key?: string) => Promise<Inserted>
  /** Hides a message from every page of history; false when there is no such message. */
  hide: (id: number) => Promise<boolean>
  /** Records a command's outcome on its message. */
  finish: (id: number, result: CommandResult) => Promise<void>
  /** Newest first. */
  list: (page: Page) => Promise<Message[]>
  /**
   * Marks every command still running as failed; returns how many. Called at start-up, before this
   * process runs any: they were left by an earlier process or pod (a new pod has a new name).
   */
  interruptRunning: (result: CommandResult) => Promise<number>
  /** Resolves when the store answers a query. */
  ping: () => Promise<void>
  close: () => Promise<void>
}

/** The store did not answer or refused the statement: the request fails with 503 and nothing was written. */
export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'StoreError'
  }
}
