// Runs one command of the commands file: /bin/sh -c "<command from the file>", with the user's text
// only in the environment (ARG). Own process group, so a timeout stops everything the command started.
import { Buffer } from 'node:buffer'
import { spawn } from 'node:child_process'
import { tmpdir } from 'node:os'
import process from 'node:process'

export interface RunRequest {
  /** The shell command from the file: trusted text, never combined with user input. */
  command: string
  /** Variables the command sees, e.g. ARG, POD_NAME. PATH, HOME and LANG are added. */
  env: Record<string, string>
  timeoutMs: number
  maxOutputBytes: number
  signal?: AbortSignal
}

export interface RunOutcome {
  status: 'ok' | 'error' | 'timeout'
  /** stdout and stderr as they arrived, cut at maxOutputBytes. */
  output: string
  exitCode: number | null
  truncated: boolean
  durationMs: number
}

export function runShellCommand(request: RunRequest): Promise<RunOutcome> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', request.command], {
      env: {
        PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: process.env.HOME ?? tmpdir(),
        LANG: process.env.LANG ?? 'C.UTF-8',
        ...request.env,
      },
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a new process group: its id is the shell's pid
    })

    const chunks: Buffer[] = []
    let size = 0
    let truncated = false
    let timedOut = false
    let aborted = false

    const killGroup = () => {
      if (child.pid === undefined)
        return
      try {
        process.kill(-child.pid, 'SIGKILL')
      }
      catch {
        // ESRCH: the group is gone already
      }
    }
    const collect = (chunk: Buffer) => {
      if (truncated)
        return
      const room = request.maxOutputBytes - size
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room))
        size += room
        truncated = true
        killGroup() // endless output: no point in waiting for the timeout
      }
      else {
        chunks.push(chunk)
        size += chunk.length
      }
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)

    const timer = setTimeout(() => {
      timedOut = true
      killGroup()
    }, request.timeoutMs)
    const onAbort = () => {
      aborted = true
      killGroup()
    }
    request.signal?.addEventListener('abort', onAbort, { once: true })

    // The shell is done: stop what it left running in the background, so its pipes close too.
    child.on('exit', killGroup)

    const finish = (exitCode: number | null, note?: string) => {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onAbort)
      let output = Buffer.concat(chunks).toString('utf8')
      let status: RunOutcome['status'] = exitCode === 0 && !truncated ? 'ok' : 'error'
      if (timedOut) {
        status = 'timeout'
        output += `${output && !output.endsWith('\n') ? '\n' : ''}[timed out after ${formatSeconds(request.timeoutMs)}; the command was stopped]`
      }
      else if (aborted) {
        output += `${output && !output.endsWith('\n') ? '\n' : ''}[stopped: the server is shutting down]`
      }
      else if (truncated) {
        output += `\n[output cut at ${request.maxOutputBytes} bytes; the command was stopped]`
      }
      else if (note) {
        output += note
      }
      else if (exitCode !== 0) {
        output += `${output && !output.endsWith('\n') ? '\n' : ''}[exit code ${exitCode ?? 'none (killed by a signal)'}]`
      }
      resolve({ status, output, exitCode, truncated, durationMs: Math.round(performance.now() - started) })
    }
    child.on('error', error => finish(null, `[could not start /bin/sh: ${error.message}]`))
    child.on('close', code => finish(code))
  })
}

export function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`
}
