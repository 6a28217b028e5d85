/**
 * The live demos' wire protocol, imported by both sides: the dev server (live-demo/node/hub.ts) and the
 * page (live-demo/browser/client.ts). A page POSTs to SESSION_PATH for a token, then opens SOCKET_PATH
 * with it and exchanges JSON text frames: ClientMessage one way, ServerMessage the other. The server
 * trusts nothing a page sends: `parseClientMessage` turns a frame into a ClientMessage or throws a
 * ProtocolError that says what is wrong.
 */
import type { ClusterEvent } from '../../formats/cluster-events.ts'

/** Endpoints, below the dev server's base path */
export const SESSION_PATH = '__live-demo/session'
export const SOCKET_PATH = '__live-demo/ws'

/** The largest frame the server reads (a pasted block of text fits easily) */
export const MAX_FRAME_BYTES = 256 * 1024
export const MAX_ID_CHARS = 200
export const MAX_SCRIPT_CHARS = 300
export const MAX_ARGS = 16
export const MAX_ARG_CHARS = 200
export const MAX_INPUT_CHARS = 64 * 1024
/** A terminal's size is clamped into these ranges */
export const COLS = { min: 20, max: 400 }
export const ROWS = { min: 5, max: 200 }

/** POST SESSION_PATH's answer: the socket's token, what a slide may run, and where */
export interface SessionGrant {
  token: string
  /** The scripts a slide may run (paths from the repository root) */
  scripts: string[]
  /** The phones a slide may run them on (project.json livePhones) */
  phones: string[]
}

/** What a terminal starts: a demo script with its arguments, or the plain shell; on a phone or on this laptop */
export type StartRequest
  = | { script: string, args?: string[], on?: string }
    | { shell: true, on?: string }

export interface TerminalSize {
  cols: number
  rows: number
}

export type ClientMessage
  = | ({ t: 'start', id: string } & StartRequest & TerminalSize)
    | { t: 'attach' | 'detach' | 'close', id: string }
    | { t: 'input', id: string, data: string }
    | ({ t: 'resize', id: string } & TerminalSize)
    | { t: 'cluster', on: boolean }
    | { t: 'check' }

export interface SessionInfo {
  id: string
  label: string
  running: boolean
  /** The phone it runs on (undefined: this laptop) */
  on?: string
}

/** One phone's backstage check: running, then its result (live-demo/node/phone-check.ts) */
export type CheckMessage
  = | { t: 'check', phone: string, state: 'running' }
    | { t: 'check', phone: string, state: 'done', code: number | null, output: string, problem?: string }

export interface ClusterStatusMessage {
  t: 'cluster-status'
  live: boolean
  message?: string
}

export type ServerMessage
  = | { t: 'sessions', sessions: SessionInfo[] }
    | { t: 'output', id: string, data: string }
    | { t: 'exit', id: string, code: number }
    | { t: 'error', id?: string, message: string }
    | { t: 'cluster', event: ClusterEvent }
    | ClusterStatusMessage
    | CheckMessage

/** A frame the server refuses; `id` is the session it named, when it named one, so that its terminal shows the error. */
export class ProtocolError extends Error {
  readonly id?: string

  constructor(message: string, id?: string) {
    super(message)
    this.name = 'ProtocolError'
    this.id = id
  }
}

/** Each message type with the fields it may carry (required ones first, then the optional ones). */
const FIELDS: Record<ClientMessage['t'], { required: string[], optional?: string[] }> = {
  start: { required: ['id', 'cols', 'rows'], optional: ['script', 'args', 'shell', 'on'] },
  attach: { required: ['id'] },
  detach: { required: ['id'] },
  close: { required: ['id'] },
  input: { required: ['id', 'data'] },
  resize: { required: ['id', 'cols', 'rows'] },
  cluster: { required: ['on'] },
  check: { required: [] },
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isShortString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !value.includes('\0')
}

function size(value: unknown, range: { min: number, max: number }, name: string, id?: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new ProtocolError(`${name} must be a number`, id)
  return Math.min(range.max, Math.max(range.min, Math.round(value)))
}

/** A script's arguments: at most MAX_ARGS plain strings (passed as argv, never through a shell). */
export function parseArgs(args: unknown, id?: string): string[] {
  if (args === undefined)
    return []
  if (!Array.isArray(args) || args.length > MAX_ARGS || !args.every(arg => typeof arg === 'string' && arg.length <= MAX_ARG_CHARS && !arg.includes('\0')))
    throw new ProtocolError(`args must be a list of at most ${MAX_ARGS} short strings`, id)
  return args
}

function parseStart(message: Record<string, unknown>, id: string, terminal: TerminalSize): ClientMessage {
  if (message.on !== undefined && !isShortString(message.on, MAX_ID_CHARS))
    throw new ProtocolError('on must be the name of a phone', id)
  const on = message.on === undefined ? {} : { on: message.on as string }
  if (message.shell !== undefined) {
    if (message.shell !== true || message.script !== undefined || message.args !== undefined)
      throw new ProtocolError('a shell is started with shell: true and neither script nor args', id)
    return { t: 'start', id, shell: true, ...on, ...terminal }
  }
  if (!isShortString(message.script, MAX_SCRIPT_CHARS))
    throw new ProtocolError('script name missing or malformed', id)
  const args = message.args === undefined ? {} : { args: parseArgs(message.args, id) }
  return { t: 'start', id, script: message.script, ...args, ...on, ...terminal }
}

/**
 * One frame from a page, checked: a known type, exactly its fields (no others), each of the right type
 * and within its bounds. Terminal sizes are clamped, not refused.
 */
export function parseClientMessage(frame: string): ClientMessage {
  if (frame.length > MAX_FRAME_BYTES)
    throw new ProtocolError(`frame larger than ${MAX_FRAME_BYTES} bytes`)
  let message: unknown
  try {
    message = JSON.parse(frame)
  }
  catch {
    throw new ProtocolError('not JSON')
  }
  if (!isRecord(message))
    throw new ProtocolError('a message is a JSON object')
  const { t } = message
  if (typeof t !== 'string' || !Object.hasOwn(FIELDS, t))
    throw new ProtocolError(`unknown message type ${JSON.stringify(t)?.slice(0, 40)}`)
  const type = t as ClientMessage['t']
  const id = typeof message.id === 'string' && new RegExp(`^[\\w./:#@-]{1,${MAX_ID_CHARS}}$`).test(message.id) ? message.id : undefined
  const { required, optional = [] } = FIELDS[type]
  if (required.includes('id') && !id)
    throw new ProtocolError(`${type} needs an id: up to ${MAX_ID_CHARS} letters, digits and ./:#@-`)
  const unknown = Object.keys(message).filter(key => key !== 't' && !required.includes(key) && !optional.includes(key))
  if (unknown.length)
    throw new ProtocolError(`${type} has no field ${unknown.map(key => JSON.stringify(key).slice(0, 40)).join(', ')}`, id)
  switch (type) {
    case 'start':
      return parseStart(message, id!, { cols: size(message.cols, COLS, 'cols', id), rows: size(message.rows, ROWS, 'rows', id) })
    case 'resize':
      return { t: 'resize', id: id!, cols: size(message.cols, COLS, 'cols', id), rows: size(message.rows, ROWS, 'rows', id) }
    case 'input':
      if (typeof message.data !== 'string' || message.data.length > MAX_INPUT_CHARS)
        throw new ProtocolError(`input data must be a string of at most ${MAX_INPUT_CHARS} characters`, id)
      return { t: 'input', id: id!, data: message.data }
    case 'cluster':
      if (typeof message.on !== 'boolean')
        throw new ProtocolError('cluster needs on: true or false')
      return { t: 'cluster', on: message.on }
    case 'check':
      return { t: 'check' }
    default:
      return { t: type, id: id! }
  }
}
