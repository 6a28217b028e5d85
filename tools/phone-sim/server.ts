/**
 * The sim's resident process (`node server.ts SIM_DIR`, started by createSim's first run): answers
 * the simulated programs' calls on SIM_DIR/sim.sock, so a call costs a few milliseconds instead of
 * a Node start. bin/sim sends `OP\0PID\0TTY\0WITH_STDIN\0NAME\0ARGC\0ARG…\0[stdin]`; the caller's
 * environment and working directory are read from /proc/PID. The answer is the shell code that
 * ends the call in bin/sim: print the output, exit with the code, or run the next program (sudo,
 * ssh, timeout). A program that reads stdin is asked again with it; socat and `kubectl get --watch`
 * go to a process of their own (main.ts). It exits when its sim's folder or its parent is gone.
 */
import type { Outcome, ProgramCall } from './programs.ts'
import { Buffer } from 'node:buffer'
import { existsSync, readFileSync, readlinkSync, renameSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import process from 'node:process'
import { resetRoundRobin } from './network.ts'
import { NeedsOwnProcess, NeedsStdin, recordCall, runProgram, timeoutStatus } from './programs.ts'

const dir = process.argv[2]
const parent = process.ppid

const quote = (text: string) => `'${text.replaceAll('\'', `'\\''`)}'`
const print = (text: string, fd: 1 | 2) => (text ? `printf %s ${quote(text)}${fd === 2 ? ' >&2' : ''}\n` : '')

/** The shell code that does what the outcome says, in bin/sim. */
function script(outcome: Outcome, call: ProgramCall): string {
  switch (outcome.kind) {
    case 'exit':
      return `${print(outcome.stdout, 1)}${print(outcome.stderr, 2)}${outcome.hung ? 'sim_end_run' : `exit ${outcome.code}`}\n`
    case 'exec': {
      const cd = outcome.cwd === call.cwd ? '' : `cd -- ${quote(outcome.cwd)} || exit 1\n`
      const env = Object.entries(outcome.env).map(([k, v]) => quote(`${k}=${v}`)).join(' ')
      return `${print(outcome.stderr ?? '', 2)}${cd}exec /usr/bin/env -i ${env} ${outcome.command.map(quote).join(' ')}\n`
    }
    case 'timeout':
      return `export SIM_DEADLINE=${quote(outcome.env.SIM_DEADLINE)}\n${outcome.command.map(quote).join(' ')}\nsim_timeout_status ${outcome.deadline} $?\n`
    default:
      return 'sim_own_process\n'
  }
}

function answer(request: Buffer): string {
  const fields: string[] = []
  let at = 0
  const field = () => {
    const end = request.indexOf(0, at)
    const text = request.subarray(at, end).toString('utf8')
    at = end + 1
    fields.push(text)
    return text
  }
  const op = field()
  const pid = field()
  const stdinIsTty = field() === '1'
  const withStdin = field() === '1'
  const name = field()
  const argv = Array.from({ length: Number(field()) }, field)
  if (op === 'timeout-status')
    return `exit ${timeoutStatus(dir, Number(argv[0]), Number(argv[1]))}\n`
  if (name === 'socat')
    return 'sim_own_process\n'
  const stdin = withStdin ? request.subarray(at).toString('utf8') : undefined
  const env = Object.fromEntries(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map(kv => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
  const call: ProgramCall = {
    dir,
    host: env.SIM_HOST,
    name,
    argv,
    env,
    cwd: readlinkSync(`/proc/${pid}/cwd`),
    stdinIsTty,
    stdin() {
      if (stdin === undefined)
        throw new NeedsStdin()
      return stdin
    },
  }
  // The programs' modules read a few SIM_* variables from process.env, as in a process of their own.
  const ownEnv = process.env
  process.env = env
  resetRoundRobin()
  try {
    const outcome = runProgram(call, true)
    recordCall(call)
    return script(outcome, call)
  }
  catch (e) {
    if (e instanceof NeedsStdin)
      return 'sim_call_with_stdin\n'
    if (e instanceof NeedsOwnProcess)
      return 'sim_own_process\n'
    throw e
  }
  finally {
    process.env = ownEnv
  }
}

const server = createServer((socket) => {
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  socket.on('end', () => {
    let reply: string
    try {
      reply = answer(Buffer.concat(chunks))
    }
    catch (e) {
      reply = `${print(`[phone-sim] the simulation failed: ${(e as Error).stack}\n`, 2)}exit 70\n`
    }
    socket.end(reply)
  })
  socket.on('error', () => {})
})
// The socket gets its name once it accepts: between bind and listen a caller would be refused.
const bound = join(dir, `sim.sock.${process.pid}`)
server.listen(bound, () => renameSync(bound, join(dir, 'sim.sock')))
setInterval(() => {
  if (!existsSync(dir) || process.ppid !== parent)
    process.exit(0)
}, 1000)
