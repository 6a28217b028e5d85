// Logging: one line per event. Text for people at a terminal, JSON (LOG_FORMAT=json) for log collectors.
import type { LogFormat } from './config.ts'
import process from 'node:process'

export type Level = 'info' | 'warn' | 'error'
export type Fields = Record<string, string | number | boolean | null | undefined>

export interface Logger {
  info: (msg: string, fields?: Fields) => void
  warn: (msg: string, fields?: Fields) => void
  error: (msg: string, fields?: Fields) => void
}

type Write = (line: string) => void

/** Every line carries pod and node, so logs of several replicas can be told apart. */
export function createLogger(format: LogFormat, base: Fields, write: Write = line => process.stdout.write(`${line}\n`)): Logger {
  const log = (level: Level, msg: string, fields: Fields = {}) => {
    const time = new Date().toISOString()
    if (format === 'json') {
      write(JSON.stringify({ time, level, msg, ...base, ...fields }))
      return
    }
    const parts = Object.entries({ ...fields, ...base })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && /[\s"=]/.test(v) ? JSON.stringify(v) : String(v)}`)
    write(`${time} ${level.toUpperCase().padEnd(5)} ${msg}${parts.length ? ` ${parts.join(' ')}` : ''}`)
  }
  return {
    info: (msg, fields) => log('info', msg, fields),
    warn: (msg, fields) => log('warn', msg, fields),
    error: (msg, fields) => log('error', msg, fields),
  }
}

/** For tests: a logger that keeps its lines. */
export function memoryLogger(format: LogFormat = 'json', base: Fields = {}): Logger & { lines: string[] } {
  const lines: string[] = []
  return Object.assign(createLogger(format, base, line => lines.push(line)), { lines })
}
