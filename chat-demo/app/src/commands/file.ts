// The commands file (COMMANDS_FILE; in the cluster the ConfigMap `chat-commands`, key commands.conf).
//
//   # a comment                     ignored, like blank lines
//   #: what the next command does   its one-line /help description
//   #@ speaker-only                 the next command works on the speaker's listener only
//   name=shell command              name matches ^[a-z][a-z0-9-]{0,31}$
//
// The user's argument never becomes part of the command string: it arrives as the environment
// variable ARG, so templates quote it: greet=printf 'Hello, %s!\n' "$ARG".
import type { FSWatcher } from 'node:fs'
import type { Logger } from '../log.ts'
import { readFileSync, watch } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname } from 'node:path'

export const COMMAND_NAME = /^[a-z][a-z0-9-]{0,31}$/
/** Built-ins a file can never replace (the others, whoami and llm, it can). */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['help', 'clear', 'hide', 'pause', 'resume'])
/** The marks a "#@" line may give the next command. */
export const MARKS: ReadonlySet<string> = new Set(['speaker-only'])

export interface FileCommand {
  name: string
  /** Run as /bin/sh -c "<command>". */
  command: string
  description: string | undefined
  /** Marked "#@ speaker-only": the audience (the funnel's listener) can't run it. */
  speakerOnly: boolean
  /** 1-based line in the file, for messages. */
  line: number
}

export interface ParsedCommands {
  commands: Map<string, FileCommand>
  /** Lines that were skipped, with the reason; the rest of the file still counts. */
  warnings: string[]
}

export function parseCommandsFile(text: string): ParsedCommands {
  const commands = new Map<string, FileCommand>()
  const warnings: string[] = []
  let description: string | undefined
  let marks = new Set<string>()
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  lines.forEach((raw, index) => {
    const line = index + 1
    const trimmed = raw.trim()
    if (trimmed === '')
      return
    if (trimmed.startsWith('#:')) {
      description = trimmed.slice(2).trim() || undefined
      return
    }
    if (trimmed.startsWith('#@')) {
      for (const mark of trimmed.slice(2).trim().split(/[\s,]+/).filter(Boolean)) {
        if (MARKS.has(mark))
          marks.add(mark)
        else warnings.push(`line ${line}: unknown mark "${mark.slice(0, 40)}" (known: ${[...MARKS].join(', ')}), ignored`)
      }
      return
    }
    if (trimmed.startsWith('#'))
      return
    const pending = description
    const pendingMarks = marks
    description = undefined
    marks = new Set()
    const eq = trimmed.indexOf('=')
    if (eq < 0) {
      warnings.push(`line ${line}: expected name=command, skipped`)
      return
    }
    const name = trimmed.slice(0, eq).trim()
    const command = trimmed.slice(eq + 1).trim()
    if (!COMMAND_NAME.test(name)) {
      warnings.push(`line ${line}: "${name.slice(0, 40)}" is not a command name (lowercase letter, then up to 31 of a-z 0-9 -), skipped`)
      return
    }
    if (RESERVED_NAMES.has(name)) {
      warnings.push(`line ${line}: /${name} is built in and cannot be replaced, skipped`)
      return
    }
    if (command === '') {
      warnings.push(`line ${line}: /${name} has an empty command, skipped`)
      return
    }
    if (commands.has(name))
      warnings.push(`line ${line}: /${name} is defined again; this definition wins`)
    commands.set(name, { name, command, description: pending, speakerOnly: pendingMarks.has('speaker-only'), line })
  })
  return { commands, warnings }
}

export interface CommandsSource {
  /** The commands as of the last successful read. */
  current: () => Map<string, FileCommand>
  /** Re-reads the file now (also triggered by file changes and a poll). */
  reload: () => Promise<void>
  close: () => void
}

/**
 * Reads the file at start (throws if it cannot be read) and again whenever it changes. A ConfigMap
 * volume updates by swapping a symlink in the directory, which a watch on the file itself misses:
 * so the directory is watched, and a poll catches whatever a watch does not report.
 */
export function watchCommandsFile(path: string, log: Logger, pollMs = 2000): CommandsSource {
  let text = readFileSync(path, 'utf8')
  let parsed = parseCommandsFile(text)
  report(parsed, path, log, 'loaded')
  let failing = false

  const reload = async () => {
    let next: string
    try {
      next = await readFile(path, 'utf8')
    }
    catch (error) {
      if (!failing)
        log.warn('commands file unreadable, keeping the previous commands', { file: path, error: (error as Error).message })
      failing = true
      return
    }
    failing = false
    if (next === text)
      return
    text = next
    parsed = parseCommandsFile(next)
    report(parsed, path, log, 'reloaded')
  }

  let timer: NodeJS.Timeout | undefined
  const soon = () => {
    clearTimeout(timer)
    timer = setTimeout(() => void reload(), 50)
  }
  let watcher: FSWatcher | undefined
  try {
    const file = basename(path)
    watcher = watch(dirname(path), { persistent: false }, (_event, changed) => {
      if (!changed || changed === file || changed.startsWith('..'))
        soon()
    })
    watcher.on('error', () => watcher?.close())
  }
  catch {
    // No watch available (e.g. too many watchers): the poll below still notices changes.
  }
  const poll = setInterval(() => void reload(), pollMs)
  poll.unref()

  return {
    current: () => parsed.commands,
    reload,
    close() {
      clearInterval(poll)
      clearTimeout(timer)
      watcher?.close()
    },
  }
}

function report(parsed: ParsedCommands, path: string, log: Logger, what: string) {
  for (const warning of parsed.warnings) log.warn(`commands file ${warning}`, { file: path })
  log.info(`commands file ${what}`, { file: path, commands: [...parsed.commands.keys()].join(',') || '(none)' })
}

/** No COMMANDS_FILE: only the built-in commands. */
export const noCommandsFile: CommandsSource = {
  current: () => new Map(),
  reload: async () => {},
  close() {},
}
