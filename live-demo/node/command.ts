/**
 * What a terminal's start request runs: a demo script of this repository (the guard's allow-list) with its
 * arguments as argv, or — only when asked explicitly — the plain shell. On this laptop, or on the phone the
 * slide names (`runOn`): then the same allow-listed script runs over ssh in the phone's clone (phones.ts:
 * phones from project.json only, every argument quoted for the remote shell, BatchMode and ConnectTimeout
 * so that an unknown host key, a refused key or an unreachable phone ends the run with a message instead
 * of a question). Ending the local ssh hangs up the remote terminal, which ends the script there.
 */
import type { StartRequest } from '../shared/protocol.ts'
import type { Phone, PhoneSetup, SshOptions } from './phones.ts'
import { relative, sep } from 'node:path'
import process from 'node:process'
import { resolveScript } from './guard.ts'
import { remoteScript, remoteShell, sshArgs } from './phones.ts'

export interface CommandContext {
  /** The repository: script names are relative to it */
  root: string
  /** The folders (relative to root) whose scripts may run */
  dirs: string[]
  /** The phones a slide may run on (none: undefined) */
  phones?: PhoneSetup
  ssh: SshOptions
}

export interface Command {
  file: string
  args: string[]
  /** What the terminal's title bar and the session list say, e.g. "phone-a: echo-demo/scripts/03-deploy-echo.sh" */
  label: string
  /** The phone it runs on, by name (undefined: this laptop) */
  on?: string
  phone?: Phone
}

/** The configured phone of that name, or an error the slide shows. */
export function phoneNamed(setup: PhoneSetup | undefined, name: string): Phone {
  const phone = setup && Object.hasOwn(setup.phones, name) ? setup.phones[name] : undefined
  if (!phone)
    throw new Error(`no phone ${name} in project.json (livePhones.phones: ${Object.keys(setup?.phones ?? {}).join(', ') || 'none'})`)
  return phone
}

export function commandFor(start: StartRequest, { root, dirs, phones, ssh }: CommandContext): Command {
  const { on } = start
  const phone = on === undefined ? undefined : phoneNamed(phones, on)
  const where = phone ? { on, phone } : {}
  const sshProgram = ssh.program ?? 'ssh'
  if ('shell' in start) {
    if (phone)
      return { file: sshProgram, args: sshArgs(phone, ssh, remoteShell(phones!.clone), true), label: `${on}: shell`, ...where }
    return { file: process.env.SHELL || '/bin/bash', args: [], label: 'shell' }
  }
  // The same allow-list either way: a demo script of this repository, by its path in the clone.
  const script = resolveScript(root, dirs, start.script)
  const name = relative(root, script).split(sep).join('/')
  const args = start.args ?? []
  if (phone)
    return { file: sshProgram, args: sshArgs(phone, ssh, remoteScript(phones!.clone, name, args), true), label: `${on}: ${name}`, ...where }
  return { file: '/bin/bash', args: [script, ...args], label: name }
}
