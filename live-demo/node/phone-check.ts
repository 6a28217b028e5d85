/**
 * The backstage check (dev server only): the pre-flight script (livePhones.checkScript in project.json)
 * on one phone over ssh, without a terminal, in the clone: `scripts/check-phone.sh --peer OTHER [OPTIONS]`,
 * OTHER the next phone of project.json (with two phones: the other one), OPTIONS the phone's own `check`
 * list (["--llm"] on the phone with the AI app). Its contract: one screen of ✓/✗ lines, exit 0 when the
 * phone is ready. Ends after `limitMs` at most.
 */
import type { Buffer } from 'node:buffer'
import type { PhoneSetup, SshOptions } from './phones.ts'
import { spawn } from 'node:child_process'
import process from 'node:process'
import { remoteScript, sshArgs } from './phones.ts'
import { sshFailure, sshFailureMessage } from './ssh-failure.ts'

export interface CheckResult {
  phone: string
  /** The script's exit code (0: ready); null when it was ended at the time limit */
  code: number | null
  output: string
  /** Why ssh itself failed, in words, when it did */
  problem?: string
}

const MAX_OUTPUT = 20_000

export function checkPhone(name: string, setup: PhoneSetup, ssh: SshOptions, limitMs = 90_000): Promise<CheckResult> {
  const phone = setup.phones[name]
  const names = Object.keys(setup.phones)
  const peer = names.length > 1 ? names[(names.indexOf(name) + 1) % names.length] : undefined
  const remote = remoteScript(setup.clone, setup.checkScript, [...(peer ? ['--peer', peer] : []), ...(phone.check ?? [])])
  return new Promise((resolve) => {
    const child = spawn(ssh.program ?? 'ssh', sshArgs(phone, ssh, remote, false), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' } })
    let output = ''
    const add = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(0, MAX_OUTPUT)
    }
    child.stdout.on('data', add)
    child.stderr.on('data', add)
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ phone: name, code: null, output, problem: `ssh could not start: ${error.message}` })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      const failure = sshFailure(code ?? -1, output)
      const problem = failure ? sshFailureMessage(failure, name, phone) : code === null ? `no answer within ${Math.round(limitMs / 1000)} s: the check was ended` : undefined
      resolve({ phone: name, code, output, ...(problem ? { problem } : {}) })
    })
  })
}
