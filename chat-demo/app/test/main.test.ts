// The real entry point as a process: configuration errors, start-up, JSON logs, clean stop.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url))

/** Runs `node src/main.ts` with the given environment until it exits (or until `until` sees its output). */
function runMain(env: Record<string, string>, until?: (stdout: string) => boolean) {
  return new Promise<{ code: number | null, stdout: string, stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SQLITE_PATH: ':memory:', PORT: '0', AUDIENCE_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      if (until?.(stdout))
        child.kill('SIGTERM')
    })
    child.stderr.on('data', chunk => (stderr += chunk))
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}

describe('configuration', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      rqliteUrl: undefined,
      llmUrl: 'http://localhost:8005',
      llmModel: 'GEMMA_3_1B_IT',
      commandTimeoutMs: 60_000,
      maxMessageLength: 2000,
      logFormat: 'text',
    })
  })

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '65536'],
    ['RQLITE_URL', 'localhost:4001'],
    ['LLM_URL', 'ftp://phone:8005'],
    ['COMMAND_TIMEOUT_MS', '-5'],
    ['MAX_MESSAGE_LENGTH', '0'],
    ['LOG_FORMAT', 'yaml'],
    ['POD_NAME', 'has spaces'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `))
  })

  it('exits 1 at start with a message naming the variable', async () => {
    const result = await runMain({ COMMAND_TIMEOUT_MS: 'soon' })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^chat: bad configuration: COMMAND_TIMEOUT_MS: must be a whole number \(got "soon"\)/)
  })

  it('exits 1 when COMMANDS_FILE cannot be read', async () => {
    const result = await runMain({ COMMANDS_FILE: '/nonexistent/commands.conf' })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('chat: cannot start: bad configuration: COMMANDS_FILE: cannot read /nonexistent/commands.conf')
  })

  it('exits 1 when SQLITE_PATH cannot be used', async () => {
    const result = await runMain({ SQLITE_PATH: '/dev/null/chat.db' })
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('bad configuration: SQLITE_PATH: cannot use /dev/null/chat.db')
  })
})

describe('the process', () => {
  it('starts, logs JSON lines with pod and node, and stops cleanly on SIGTERM', async () => {
    const result = await runMain({ LOG_FORMAT: 'json', POD_NAME: 'chat-abc', NODE_NAME: 'phone-a' }, out => out.includes('"store ready"'))
    expect(result.code).toBe(0)
    const lines = result.stdout.trim().split('\n').map(line => JSON.parse(line))
    expect(lines.find(l => l.msg === 'listening')).toMatchObject({ level: 'info', pod: 'chat-abc', node: 'phone-a', store: 'sqlite' })
    expect(lines.at(-1)).toMatchObject({ msg: 'stopping', signal: 'SIGTERM' })
    expect(result.stderr).toBe('')
  })
})
