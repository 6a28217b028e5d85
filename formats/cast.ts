/**
 * asciinema v2 recordings ("casts", https://docs.asciinema.org/manual/asciicast/v2/): parse one, and
 * compute its final screen as text. CastPlayer shows that final screen before the player is loaded and
 * in the PDF (a PDF can't play anything), so the phone on a slide always shows how the demo ended.
 *
 * The screen model is a small terminal: printable text, CR, LF, backspace, tab, cursor movement, erase
 * in line and display, and SGR colours (the 16 basic ones, bold and dim). Everything else a demo script
 * may print (titles, modes, 256/true colours) is parsed and skipped.
 */

import type { RecordingOrigin } from './recording-label.ts'
import { readJsonLines } from './json-lines.ts'

export interface CastHeader extends RecordingOrigin {
  version: 2
  width: number
  height: number
  timestamp?: number
  [key: string]: unknown
}

/** [seconds since start, "o" output | "i" input | "m" marker | "r" resize, data] */
export type CastEvent = [number, string, string]

export interface Cast {
  header: CastHeader
  events: CastEvent[]
  /** Seconds from start to the last event */
  duration: number
}

/** Parses a v2 cast (newline-delimited JSON: a header object, then one event array per line). */
export function parseCast(text: string): Cast {
  const { header: raw, entries } = readJsonLines(text, 'cast')
  const header = raw as CastHeader
  if (header.version !== 2)
    throw new Error(`not an asciinema v2 cast (version ${String(header.version)})`)
  if (!(header.width > 0 && header.height > 0))
    throw new Error('cast header needs width and height')
  let previous = -Infinity
  const events = entries.map(({ value, line }) => {
    const event = value as CastEvent
    if (!Array.isArray(event) || typeof event[0] !== 'number' || typeof event[1] !== 'string' || typeof event[2] !== 'string')
      throw new TypeError(`cast line ${line} is not [time, code, data]`)
    if (event[0] < previous)
      throw new Error(`cast line ${line}: time goes backwards`)
    previous = event[0]
    return event
  })
  return { header, events, duration: events.at(-1)?.[0] ?? 0 }
}

/** A run of characters with one style, for rendering a line as coloured spans. */
export interface TextRun {
  text: string
  /** 0–15 (the basic ANSI colours, 8–15 bright) or undefined for the default colour */
  fg?: number
  bold?: boolean
  dim?: boolean
}

interface Cell { ch: string, fg?: number, bold?: boolean, dim?: boolean }
type Style = Omit<Cell, 'ch'>

/** The final screen of a cast: `rows` lines of styled runs (trailing blanks trimmed). */
export function finalScreen(cast: Cast): TextRun[][] {
  const screen = new Screen(cast.header.width, cast.header.height)
  for (const [, code, data] of cast.events) {
    if (code === 'o') {
      screen.write(data)
    }
    else if (code === 'r') {
      const [cols, rows] = data.split('x').map(Number)
      if (cols > 0 && rows > 0)
        screen.resize(cols, rows)
    }
  }
  return screen.lines()
}

/** The final screen as plain text, one string per line. */
export function finalText(cast: Cast): string[] {
  return finalScreen(cast).map(runs => runs.map(run => run.text).join(''))
}

class Screen {
  private grid: Cell[][]
  private cols: number
  private rows: number
  private x = 0
  private y = 0
  private style: Style = {}
  private pending = ''

  constructor(cols: number, rows: number) {
    this.cols = cols
    this.rows = rows
    this.grid = Array.from({ length: rows }, () => this.blankRow())
  }

  private blankRow(): Cell[] {
    return Array.from({ length: this.cols }, () => ({ ch: ' ' }))
  }

  resize(cols: number, rows: number) {
    for (const row of this.grid) {
      row.length = Math.min(row.length, cols)
      while (row.length < cols) row.push({ ch: ' ' })
    }
    this.cols = cols
    while (this.grid.length > rows) this.grid.shift()
    while (this.grid.length < rows) this.grid.push(this.blankRow())
    this.rows = rows
    this.x = Math.min(this.x, cols - 1)
    this.y = Math.min(this.y, rows - 1)
  }

  private lineFeed() {
    if (this.y === this.rows - 1) {
      this.grid.shift()
      this.grid.push(this.blankRow())
    }
    else {
      this.y++
    }
  }

  private put(ch: string) {
    if (this.x >= this.cols) {
      this.x = 0
      this.lineFeed()
    }
    this.grid[this.y][this.x] = { ch, ...this.style }
    this.x++
  }

  private erase(row: number, from: number, to: number) {
    for (let x = Math.max(0, from); x < Math.min(this.cols, to); x++)
      this.grid[row][x] = { ch: ' ' }
  }

  write(data: string) {
    const text = this.pending + data
    this.pending = ''
    let i = 0
    while (i < text.length) {
      const ch = text[i]
      if (ch === '\x1B') {
        const consumed = this.escape(text, i)
        if (consumed === 0) {
          // An escape sequence split across two events: finish it with the next one.
          this.pending = text.slice(i)
          return
        }
        i += consumed
        continue
      }
      i += ch.length
      if (ch === '\r')
        this.x = 0
      else if (ch === '\n')
        this.lineFeed()
      else if (ch === '\b')
        this.x = Math.max(0, this.x - 1)
      else if (ch === '\t')
        this.x = Math.min(this.cols - 1, (Math.floor(this.x / 8) + 1) * 8)
      else if (ch >= ' ' && ch !== '\x7F')
        this.put(ch)
    }
  }

  /** Handles the escape sequence at text[i]; returns its length, or 0 when it is incomplete. */
  private escape(text: string, i: number): number {
    const next = text[i + 1]
    if (next === undefined)
      return 0
    if (next === '[') {
      // CSI: ESC [ private-marker? parameters intermediates final
      const rest = text.slice(i + 2, i + 66)
      // intermediates: U+0020 to U+002F (space to '/'); final: U+0040 to U+007E ('@' to '~')
      const match = /^([?>=]?)([\d;:]*)([\x20-\x2F]*)([\x40-\x7E])/.exec(rest)
      if (!match)
        return /^[?>=]?[\d;:]*[\x20-\x2F]*$/.test(rest) ? 0 : 2
      if (!match[1] && !match[3])
        this.csi(match[4], match[2].split(/[;:]/).map(n => (n === '' ? undefined : Number(n))))
      return match[0].length + 2
    }
    if (next === ']' || next === 'P' || next === '_' || next === '^') {
      // OSC/DCS/APC/PM: up to BEL or ST (ESC \)
      const bel = text.indexOf('\x07', i + 2)
      const st = text.indexOf('\x1B\\', i + 2)
      const ends = [bel >= 0 ? bel + 1 : -1, st >= 0 ? st + 2 : -1].filter(end => end > 0)
      return ends.length ? Math.min(...ends) - i : 0
    }
    if (next === '(' || next === ')' || next === '#')
      return text[i + 2] === undefined ? 0 : 3
    if (next === 'c') {
      this.grid = Array.from({ length: this.rows }, () => this.blankRow())
      this.x = this.y = 0
      this.style = {}
    }
    return 2
  }

  private csi(final: string, params: (number | undefined)[]) {
    const n = (index: number, fallback = 1) => params[index] ?? fallback
    switch (final) {
      case 'm':
        this.sgr(params)
        break
      case 'A':
        this.y = Math.max(0, this.y - n(0))
        break
      case 'B':
        this.y = Math.min(this.rows - 1, this.y + n(0))
        break
      case 'C':
        this.x = Math.min(this.cols - 1, this.x + n(0))
        break
      case 'D':
        this.x = Math.max(0, this.x - n(0))
        break
      case 'E':
        this.y = Math.min(this.rows - 1, this.y + n(0))
        this.x = 0
        break
      case 'F':
        this.y = Math.max(0, this.y - n(0))
        this.x = 0
        break
      case 'G':
        this.x = Math.min(this.cols - 1, n(0) - 1)
        break
      case 'H':
      case 'f':
        this.y = Math.min(this.rows - 1, Math.max(0, n(0) - 1))
        this.x = Math.min(this.cols - 1, Math.max(0, n(1) - 1))
        break
      case 'K': {
        const mode = n(0, 0)
        if (mode === 0)
          this.erase(this.y, this.x, this.cols)
        else if (mode === 1)
          this.erase(this.y, 0, this.x + 1)
        else this.erase(this.y, 0, this.cols)
        break
      }
      case 'J': {
        const mode = n(0, 0)
        if (mode === 0) {
          this.erase(this.y, this.x, this.cols)
          for (let row = this.y + 1; row < this.rows; row++) this.erase(row, 0, this.cols)
        }
        else if (mode === 1) {
          for (let row = 0; row < this.y; row++) this.erase(row, 0, this.cols)
          this.erase(this.y, 0, this.x + 1)
        }
        else {
          for (let row = 0; row < this.rows; row++) this.erase(row, 0, this.cols)
        }
        break
      }
      default: break
    }
  }

  private sgr(params: (number | undefined)[]) {
    if (!params.length)
      params = [0]
    for (let i = 0; i < params.length; i++) {
      const p = params[i] ?? 0
      if (p === 0)
        this.style = {}
      else if (p === 1)
        this.style = { ...this.style, bold: true }
      else if (p === 2)
        this.style = { ...this.style, dim: true }
      else if (p === 22)
        this.style = { ...this.style, bold: undefined, dim: undefined }
      else if (p >= 30 && p <= 37)
        this.style = { ...this.style, fg: p - 30 }
      else if (p >= 90 && p <= 97)
        this.style = { ...this.style, fg: p - 90 + 8 }
      else if (p === 39)
        this.style = { ...this.style, fg: undefined }
      else if (p === 38 || p === 48)
        i += params[i + 1] === 5 ? 2 : params[i + 1] === 2 ? 4 : 0
    }
  }

  lines(): TextRun[][] {
    const rows = this.grid.map((row) => {
      const runs: TextRun[] = []
      for (const cell of row) {
        const last = runs.at(-1)
        if (last && last.fg === cell.fg && last.bold === cell.bold && last.dim === cell.dim)
          last.text += cell.ch
        else
          runs.push({ text: cell.ch, fg: cell.fg, bold: cell.bold, dim: cell.dim })
      }
      // Trim trailing blanks
      while (runs.length && !runs.at(-1)!.text.trimEnd()) runs.pop()
      if (runs.length)
        runs[runs.length - 1] = { ...runs.at(-1)!, text: runs.at(-1)!.text.trimEnd() }
      return runs
    })
    while (rows.length && !rows.at(-1)!.length) rows.pop()
    return rows
  }
}
