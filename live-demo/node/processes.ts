/**
 * The processes of a live demo's terminal: started in a pseudo-terminal (its own session and process
 * group), and ended with everything they started, as closing a terminal would.
 */
import type { IPty } from '@lydell/node-pty'
import { readdirSync, readFileSync } from 'node:fs'
import process from 'node:process'

/** The processes in session `sid` (Linux: /proc), so that jobs a shell put in other groups die too. */
function sessionMembers(sid: number): number[] {
  try {
    return readdirSync('/proc').filter(name => /^\d+$/.test(name)).flatMap((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        return Number(fields[3]) === sid ? [Number(name)] : []
      }
      catch {
        return []
      }
    })
  }
  catch {
    return [] // no /proc (macOS): the process group is all we can reach
  }
}

function signalAll(leader: number, signal: NodeJS.Signals) {
  for (const target of [-leader, ...sessionMembers(leader)]) {
    try {
      process.kill(target, signal)
    }
    catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  }
  catch {
    return false
  }
}

/**
 * Ends a pseudo-terminal's process and everything it started: SIGHUP to its process group and session
 * (what closing a terminal sends), then SIGKILL after `graceMs` to whatever is left.
 */
export async function killTree(leader: number, graceMs: number): Promise<void> {
  signalAll(leader, 'SIGHUP')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline && (alive(leader) || sessionMembers(leader).length))
    await new Promise(resolve => setTimeout(resolve, 50))
  signalAll(leader, 'SIGKILL')
}

export interface TerminalProcess {
  /** The program and its arguments (argv: no shell in between) */
  file: string
  args: string[]
  cwd: string
  cols: number
  rows: number
  /** Added to this process's environment */
  env?: Record<string, string>
}

/** Starts a program in a pseudo-terminal (xterm-256color), the leader of its own session. */
export async function spawnTerminal({ file, args, cwd, cols, rows, env = {} }: TerminalProcess): Promise<IPty> {
  // Loaded on first use: the native module is only needed once a slide runs something.
  const { spawn } = await import('@lydell/node-pty')
  const inherited = Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined))
  return spawn(file, args, { name: 'xterm-256color', cols, rows, cwd, env: { ...inherited, TERM: 'xterm-256color', ...env } })
}
