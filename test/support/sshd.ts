/**
 * A real OpenSSH server for the tests (Debian's openssh-server: /usr/sbin/sshd), on a loopback address
 * and a free port, with a throwaway host key, and a throwaway client key in a temporary HOME; plus an ssh
 * config file (`ssh -F`) whose aliases stand for phones in every state a live demo must survive:
 *
 *   phone-a     reachable, host key known, key authorised
 *   phone-new   reachable, host key NOT in known_hosts (ssh would ask)
 *   phone-other reachable, host key known, but this laptop's key is not authorised
 *   phone-off   nothing listens (connection refused)
 *   phone-mute  a listener that accepts and never speaks ssh (the connect hangs without ConnectTimeout)
 *
 * ssh takes ~/.ssh from the password database, not $HOME: the config names every file explicitly.
 */
import type { ChildProcess } from 'node:child_process'
import type { Server, Socket } from 'node:net'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import process from 'node:process'

export const SSHD = '/usr/sbin/sshd'

export interface TestSshd {
  /** The temporary HOME: .ssh/ with the keys, known_hosts and the config */
  home: string
  /** `ssh -F` this */
  configFile: string
  address: string
  port: number
  user: string
  /** What sshd logged (stderr) */
  log: () => string
  stop: () => Promise<void>
}

function keygen(file: string) {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'throwaway', '-f', file], { encoding: 'utf8' })
  if (r.status !== 0)
    throw new Error(`ssh-keygen failed: ${r.stderr}`)
}

async function freePort(address: string): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, address, resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Resolves once something accepts connections at address:port (polled, with a deadline). */
async function listening(address: string, port: number, child: ChildProcess, log: () => string, ms = 15_000) {
  const deadline = Date.now() + ms
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`sshd exited (${child.exitCode}):\n${log()}`)
    const ok = await new Promise<boolean>((resolve) => {
      const socket: Socket = connect(port, address)
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok)
      return
    if (Date.now() > deadline)
      throw new Error(`sshd does not listen on ${address}:${port}:\n${log()}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

export async function startSshd(address = '127.0.0.2'): Promise<TestSshd> {
  if (!existsSync(SSHD))
    throw new Error(`No ${SSHD}: apt-get install -y openssh-server openssh-client (.ci/run does)`)
  const dir = mkdtempSync(join(tmpdir(), 'test-sshd-'))
  const home = join(dir, 'home')
  const ssh = join(home, '.ssh')
  mkdirSync(ssh, { recursive: true, mode: 0o700 })
  keygen(join(dir, 'host_key'))
  keygen(join(ssh, 'id_ed25519'))
  keygen(join(ssh, 'other_key'))
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(ssh, 'id_ed25519.pub')), { mode: 0o600 })
  const port = await freePort(address)
  const user = userInfo().username
  // Root's sshd needs its privilege separation directory (Debian's unit creates it at start).
  if (process.getuid?.() === 0)
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  const sshdConfig = join(dir, 'sshd_config')
  writeFileSync(sshdConfig, [
    `ListenAddress ${address}:${port}`,
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AllowUsers ${user}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PrintMotd no',
    'PrintLastLog no',
    'LogLevel VERBOSE',
    '',
  ].join('\n'))
  const child = spawn(SSHD, ['-D', '-e', '-f', sshdConfig], { stdio: ['ignore', 'ignore', 'pipe'] })
  let log = ''
  child.stderr!.on('data', (chunk) => {
    log += chunk
  })
  await listening(address, port, child, () => log)

  // A listener that accepts and says nothing: ssh waits for the server's banner.
  const sockets = new Set<Socket>()
  const mute: Server = createServer(socket => void sockets.add(socket))
  const mutePort = await freePort(address)
  await new Promise<void>(resolve => mute.listen(mutePort, address, resolve))
  const offPort = await freePort(address)

  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ')
  writeFileSync(join(ssh, 'known_hosts'), `[${address}]:${port} ${hostKey}\n`)
  writeFileSync(join(ssh, 'empty_known_hosts'), '')
  const host = (alias: string, lines: string[]) => [`Host ${alias}`, `  HostName ${address}`, ...lines.map(line => `  ${line}`)].join('\n')
  const common = [`User ${user}`, 'IdentitiesOnly yes', 'GlobalKnownHostsFile /dev/null', 'UpdateHostKeys no', 'LogLevel ERROR']
  const configFile = join(ssh, 'config')
  writeFileSync(configFile, [
    host('phone-a', [`Port ${port}`, `IdentityFile ${join(ssh, 'id_ed25519')}`, `UserKnownHostsFile ${join(ssh, 'known_hosts')}`, ...common]),
    host('phone-new', [`Port ${port}`, `IdentityFile ${join(ssh, 'id_ed25519')}`, `UserKnownHostsFile ${join(ssh, 'empty_known_hosts')}`, ...common]),
    host('phone-other', [`Port ${port}`, `IdentityFile ${join(ssh, 'other_key')}`, `UserKnownHostsFile ${join(ssh, 'known_hosts')}`, ...common]),
    host('phone-off', [`Port ${offPort}`, `IdentityFile ${join(ssh, 'id_ed25519')}`, `UserKnownHostsFile ${join(ssh, 'known_hosts')}`, ...common]),
    host('phone-mute', [`Port ${mutePort}`, `IdentityFile ${join(ssh, 'id_ed25519')}`, `UserKnownHostsFile ${join(ssh, 'known_hosts')}`, ...common]),
    '',
  ].join('\n'), { mode: 0o600 })

  return {
    home,
    configFile,
    address,
    port,
    user,
    log: () => log,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise(resolve => mute.close(resolve))
      if (child.exitCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
