/**
 * The phones a slide's script can run on (dev server only): configured once in project.json under
 * "livePhones" — each phone's ssh user and host, the folder of the repository's clone on the phones,
 * and the pre-flight script the backstage check runs:
 *
 *   "livePhones": {
 *     "clone": "k3s-on-phone-demo",              (relative to the phone user's home, or absolute)
 *     "checkScript": "scripts/check-phone.sh",   (in the clone; exit 0 when the phone is ready)
 *     "phones": { "phone-a": { "user": "droid", "host": "phone-a" }, "phone-b": { …, "check": ["--llm"] } }
 *   }
 *
 * Everything that becomes an ssh command line is built here. ssh hands the remote side ONE command
 * line, which the phone's login shell parses again: every word is single-quoted for it.
 */
import { existsSync, readFileSync } from 'node:fs'

export interface Phone {
  /** The ssh user (the Linux Terminal app's VM: droid) */
  user: string
  /** The host to reach: its tailnet name, or an alias from an ssh config */
  host: string
  /** The ssh port, when not 22 */
  port?: number
  /** More options for the pre-flight check on this phone (e.g. ["--llm"] on the phone with the AI app) */
  check?: string[]
}

export interface PhoneSetup {
  clone: string
  checkScript: string
  phones: Record<string, Phone>
}

export interface SshOptions {
  /** The ssh program (default: ssh from PATH) */
  program?: string
  /** An ssh config file for `-F` (tests: a throwaway key, known_hosts and port) */
  configFile?: string
  /** Seconds to wait for the phone to answer (connect and ssh banner) before giving up (default 8) */
  connectTimeout?: number
}

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/
const HOST = /^[A-Z0-9][A-Z0-9.:-]{0,252}$/i
const USER = /^[a-z_][a-z0-9_-]{0,31}$/

/** Reads and checks the livePhones section of project.json (undefined when there is none). */
export function readPhoneSetup(projectFile: string): PhoneSetup | undefined {
  if (!existsSync(projectFile))
    return undefined
  const project = JSON.parse(readFileSync(projectFile, 'utf8')) as { livePhones?: unknown }
  return project.livePhones === undefined ? undefined : checkPhoneSetup(project.livePhones)
}

export function checkPhoneSetup(value: unknown): PhoneSetup {
  const setup = value as Partial<PhoneSetup> | null
  if (!setup || typeof setup !== 'object')
    throw new Error('livePhones must be an object')
  if (typeof setup.clone !== 'string' || !setup.clone || setup.clone.includes('\0'))
    throw new Error('livePhones.clone must name the clone\'s folder on the phones')
  if (typeof setup.checkScript !== 'string' || !/^[\w./-]+\.sh$/.test(setup.checkScript) || setup.checkScript.split('/').includes('..'))
    throw new Error('livePhones.checkScript must be a script path in the clone, like scripts/check-phone.sh')
  const phones = setup.phones as Record<string, Phone> | undefined
  if (!phones || typeof phones !== 'object')
    throw new Error('livePhones.phones must map phone names to { user, host }')
  for (const [name, phone] of Object.entries(phones)) {
    if (!NAME.test(name))
      throw new Error(`livePhones.phones: "${name}" is not a phone name like phone-a`)
    if (!phone || !USER.test(phone.user ?? '') || !HOST.test(phone.host ?? ''))
      throw new Error(`livePhones.phones.${name} needs a user and a host like { "user": "droid", "host": "phone-a" }`)
    if (phone.port !== undefined && !(Number.isInteger(phone.port) && phone.port > 0 && phone.port < 65536))
      throw new Error(`livePhones.phones.${name}.port must be a port number`)
    if (phone.check !== undefined && !(Array.isArray(phone.check) && phone.check.every(option => typeof option === 'string' && /^--[a-z][\w-]*(?:=[\w.-]+)?$/.test(option))))
      throw new Error(`livePhones.phones.${name}.check must be a list of options like ["--llm"]`)
  }
  return { clone: setup.clone, checkScript: setup.checkScript, phones }
}

/** One word for a POSIX shell (sh, bash, dash, zsh): single quotes, a quote inside as '\''. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll('\'', `'\\''`)}'`
}

/** `cd` into the clone: relative to the phone user's home, or absolute. */
function cdClone(clone: string): string {
  return `cd ${clone.startsWith('/') ? shellQuote(clone) : `"$HOME"/${shellQuote(clone)}`}`
}

/** The remote command line: in the clone, run the script (a path relative to it) with exactly these arguments. */
export function remoteScript(clone: string, script: string, args: string[]): string {
  return `${cdClone(clone)} && exec bash ${[`./${script}`, ...args].map(shellQuote).join(' ')}`
}

/** The remote command line of a plain shell on the phone, in the clone when it is there. */
export function remoteShell(clone: string): string {
  return `${cdClone(clone)} 2>/dev/null; exec "\${SHELL:-bash}" -l`
}

/**
 * ssh's arguments for one phone. BatchMode: never a password or host-key question that nobody on
 * stage can answer (the run fails with ssh's message instead); ConnectTimeout: an unreachable phone
 * fails in seconds; ServerAlive*: a phone that drops off the network mid-run ends the run.
 */
export function sshArgs(phone: Phone, options: SshOptions, remote: string, tty: boolean): string[] {
  return [
    ...(options.configFile ? ['-F', options.configFile] : []),
    ...(tty ? ['-t'] : ['-T']),
    '-o',
    'BatchMode=yes',
    '-o',
    `ConnectTimeout=${options.connectTimeout ?? 8}`,
    '-o',
    'ServerAliveInterval=5',
    '-o',
    'ServerAliveCountMax=3',
    ...(phone.port ? ['-p', String(phone.port)] : []),
    '-l',
    phone.user,
    '--',
    phone.host,
    remote,
  ]
}

/** `user@host` as the speaker knows it (for messages). */
export const destination = (phone: Phone) => `${phone.user}@${phone.host}${phone.port ? `:${phone.port}` : ''}`
