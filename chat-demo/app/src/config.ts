// Configuration: read the environment once at start, validate it, and name the variable that is wrong.
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

export type LogFormat = 'text' | 'json'

export interface Config {
  /** The speaker's listener (the tailnet, all interfaces of the phone). */
  port: number
  /** The audience's listener: what `tailscale funnel` publishes. Bound to audienceHost only. */
  audiencePort: number
  audienceHost: string
  /** The hosted deck's origin (https://host), allowed by CORS to read /api/slide and /api/events. */
  deckOrigin: string | undefined
  podName: string
  nodeName: string
  /** rqlite's HTTP address; when unset the embedded SQLite store is used. */
  rqliteUrl: string | undefined
  /** Embedded store: a file path, or ':memory:'. */
  sqlitePath: string
  commandsFile: string | undefined
  llmUrl: string
  llmModel: string
  commandTimeoutMs: number
  maxMessageLength: number
  maxOutputBytes: number
  maxConcurrentCommands: number
  /** Commands waiting for a slot; one more gets 429. */
  maxQueuedCommands: number
  /** The audience's limits: per sender (browser id), per address, and new ids per address. */
  messageBurst: number
  messagesPerMinute: number
  addressMessagesPerMinute: number
  newSenderBurst: number
  newSendersPerMinute: number
  /** Live streams at once on the audience's listener. */
  maxEventStreams: number
  /** Unread bytes a live-stream client may have queued before it is dropped. */
  maxStreamBufferBytes: number
  logFormat: LogFormat
}

export const DEFAULT_PORT = 8080
export const DEFAULT_AUDIENCE_PORT = 8090
export const DEFAULT_SQLITE_PATH = fileURLToPath(new URL('../data/chat.db', import.meta.url))

/** A configuration error names the environment variable so the operator knows what to fix. */
export class ConfigError extends Error {
  readonly variable: string
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
    this.variable = variable
  }
}

function integer(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
}

const httpUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }))
  .transform(url => url.replace(/\/+$/, ''))

const origin = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an origin like https://example.github.io' }))
  .refine(url => new URL(url).origin === url.replace(/\/$/, ''), 'must be an origin (scheme and host, no path)')
  .transform(url => new URL(url).origin)

const host = z
  .string()
  .trim()
  .regex(/^(::1|localhost|::|[\d.]+|[\da-f:]+)$/i, 'must be an IP address such as 127.0.0.1')

const name = z
  .string()
  .trim()
  .regex(/^[\w.:-]{1,253}$/, 'must be 1-253 letters, digits, ".", "_", ":" or "-"')

/** One entry per environment variable: its schema and default (applied when unset or empty). */
const variables = {
  PORT: { schema: integer(0, 65535), fallback: String(DEFAULT_PORT) },
  AUDIENCE_PORT: { schema: integer(0, 65535), fallback: String(DEFAULT_AUDIENCE_PORT) },
  AUDIENCE_HOST: { schema: host, fallback: '127.0.0.1' },
  DECK_ORIGIN: { schema: origin.optional(), fallback: undefined },
  POD_NAME: { schema: name, fallback: 'local' },
  NODE_NAME: { schema: name, fallback: 'local' },
  RQLITE_URL: { schema: httpUrl.optional(), fallback: undefined },
  SQLITE_PATH: { schema: z.string().min(1), fallback: DEFAULT_SQLITE_PATH },
  COMMANDS_FILE: { schema: z.string().min(1).optional(), fallback: undefined },
  LLM_URL: { schema: httpUrl, fallback: 'http://localhost:8005' },
  LLM_MODEL: { schema: z.string().trim().regex(/^[\w .-]{1,100}$/, 'must be a model name such as GEMMA_3_1B_IT'), fallback: 'GEMMA_3_1B_IT' },
  COMMAND_TIMEOUT_MS: { schema: integer(100, 3_600_000), fallback: '60000' },
  MAX_MESSAGE_LENGTH: { schema: integer(1, 100_000), fallback: '2000' },
  MAX_OUTPUT_BYTES: { schema: integer(1024, 10_000_000), fallback: '65536' },
  MAX_CONCURRENT_COMMANDS: { schema: integer(1, 64), fallback: '4' },
  MAX_QUEUED_COMMANDS: { schema: integer(0, 1000), fallback: '50' },
  MESSAGE_BURST: { schema: integer(1, 10_000), fallback: '8' },
  MESSAGES_PER_MINUTE: { schema: integer(1, 100_000), fallback: '30' },
  ADDRESS_MESSAGES_PER_MINUTE: { schema: integer(1, 1_000_000), fallback: '1200' },
  NEW_SENDER_BURST: { schema: integer(1, 100_000), fallback: '300' },
  NEW_SENDERS_PER_MINUTE: { schema: integer(1, 100_000), fallback: '60' },
  MAX_EVENT_STREAMS: { schema: integer(1, 100_000), fallback: '2000' },
  MAX_STREAM_BUFFER_BYTES: { schema: integer(4096, 64 * 1024 * 1024), fallback: String(256 * 1024) },
  LOG_FORMAT: { schema: z.enum(['text', 'json'], { error: 'must be "text" or "json"' }), fallback: 'text' },
} as const

type Variables = typeof variables
type Parsed = { [K in keyof Variables]: z.output<Variables[K]['schema']> }

/** Parse the environment; throws ConfigError for the first bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed: Record<string, unknown> = {}
  for (const [key, { schema, fallback }] of Object.entries(variables)) {
    const raw = env[key] === undefined || env[key] === '' ? fallback : env[key]
    const result = (schema as z.ZodType).safeParse(raw)
    if (!result.success) {
      const issue = result.error.issues[0]
      throw new ConfigError(key, `${issue?.message ?? 'invalid value'} (got ${JSON.stringify(env[key])})`)
    }
    parsed[key] = result.data
  }
  const p = parsed as Parsed
  return {
    port: p.PORT,
    audiencePort: p.AUDIENCE_PORT,
    audienceHost: p.AUDIENCE_HOST,
    deckOrigin: p.DECK_ORIGIN,
    podName: p.POD_NAME,
    nodeName: p.NODE_NAME,
    rqliteUrl: p.RQLITE_URL,
    sqlitePath: p.SQLITE_PATH,
    commandsFile: p.COMMANDS_FILE,
    llmUrl: p.LLM_URL,
    llmModel: p.LLM_MODEL,
    commandTimeoutMs: p.COMMAND_TIMEOUT_MS,
    maxMessageLength: p.MAX_MESSAGE_LENGTH,
    maxOutputBytes: p.MAX_OUTPUT_BYTES,
    maxConcurrentCommands: p.MAX_CONCURRENT_COMMANDS,
    maxQueuedCommands: p.MAX_QUEUED_COMMANDS,
    messageBurst: p.MESSAGE_BURST,
    messagesPerMinute: p.MESSAGES_PER_MINUTE,
    addressMessagesPerMinute: p.ADDRESS_MESSAGES_PER_MINUTE,
    newSenderBurst: p.NEW_SENDER_BURST,
    newSendersPerMinute: p.NEW_SENDERS_PER_MINUTE,
    maxEventStreams: p.MAX_EVENT_STREAMS,
    maxStreamBufferBytes: p.MAX_STREAM_BUFFER_BYTES,
    logFormat: p.LOG_FORMAT,
  }
}

/** The variables with their defaults, for the README and `--help`-like output. */
export const configVariables = Object.keys(variables)
