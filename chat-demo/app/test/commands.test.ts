// The commands file (parsing, hot reload) and the runner (timeout, output cap, concurrency cap).
import type { Message } from '../src/store/types.ts'
import type { TestChat } from './support/chat.ts'
import { Buffer } from 'node:buffer'
import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parseCommandsFile } from '../src/commands/file.ts'
import { startTestChat } from './support/chat.ts'

let dir: string

/** A killed process nobody has reaped yet (PID 1 here may not reap orphans) is a zombie: not running. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  }
  catch {
    return false
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
}

/** Polls the store until the command's message is no longer running. */
async function waitForStatus(chat: TestChat, id: number): Promise<Message> {
  for (let i = 0; i < 400; i++) {
    const message = (await chat.all()).find(m => m.id === id)
    if (message && message.status !== 'running')
      return message
    await new Promise(resolve => setTimeout(resolve, 25))
  }
  throw new Error(`message ${id} is still running`)
}
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-commands-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('parsing the commands file', () => {
  it('follows the convention: comments, #: descriptions, name=command', () => {
    const { commands, warnings } = parseCommandsFile(
      [
        '\uFEFF# a comment',
        '',
        '#: says hello',
        '# another comment between description and command',
        'greet=printf "Hello, %s!\\n" "$ARG"',
        '  date = date -u  ',
        'sum=echo $((1+2)) = three',
        '#: replaces the built-in',
        'whoami=echo "$POD_NAME"\r',
      ].join('\n'),
    )
    expect(warnings).toEqual([])
    expect([...commands.keys()]).toEqual(['greet', 'date', 'sum', 'whoami'])
    expect(commands.get('greet')).toEqual({ name: 'greet', command: 'printf "Hello, %s!\\n" "$ARG"', description: 'says hello', speakerOnly: false, line: 5 })
    expect(commands.get('date')).toMatchObject({ command: 'date -u', description: undefined })
    expect(commands.get('sum')?.command).toBe('echo $((1+2)) = three')
    expect(commands.get('whoami')).toMatchObject({ command: 'echo "$POD_NAME"', description: 'replaces the built-in' })
  })

  it('skips bad lines with a reason and keeps the rest', () => {
    const { commands, warnings } = parseCommandsFile(
      ['no equals sign', 'Upper=x', '9lives=x', `${'a'.repeat(33)}=x`, 'help=echo mine', 'clear=rm -rf /', 'empty=', 'ok=echo ok', 'ok=echo twice'].join('\n'),
    )
    expect([...commands.keys()]).toEqual(['ok'])
    expect(commands.get('ok')?.command).toBe('echo twice')
    expect(warnings).toEqual([
      'line 1: expected name=command, skipped',
      expect.stringContaining('line 2: "Upper" is not a command name'),
      expect.stringContaining('line 3: "9lives" is not a command name'),
      expect.stringContaining('line 4:'),
      'line 5: /help is built in and cannot be replaced, skipped',
      'line 6: /clear is built in and cannot be replaced, skipped',
      'line 7: /empty has an empty command, skipped',
      'line 9: /ok is defined again; this definition wins',
    ])
    expect(parseCommandsFile(`${'b'.repeat(32)}=x`).commands.size).toBe(1)
  })
})

describe('commands from the file', () => {
  let chat: TestChat | undefined
  afterEach(async () => {
    await chat?.close()
    chat = undefined
  })

  it('runs a command with the argument in $ARG and the pod and node in the environment', async () => {
    const file = join(dir, 'env.conf')
    await writeFile(file, '#: shows its environment\nenv-check=printf "%s|%s|%s|%s|%s" "$ARG" "$POD_NAME" "$NODE_NAME" "$LLM_URL" "$LLM_MODEL"\n')
    chat = await startTestChat({ COMMANDS_FILE: file, LLM_URL: 'http://127.0.0.1:8005', LLM_MODEL: 'SOME_MODEL' })
    const { status, body } = await chat.post('/env-check  two spaces', { wait: true })
    expect(status).toBe(201)
    expect(body.message).toMatchObject({ command: 'env-check', status: 'ok', output: ' two spaces|chat-test-pod|phone-test|http://127.0.0.1:8005|SOME_MODEL' })
    expect((await chat.post('/help')).body.message.output).toMatch(/From env\.conf:\n\s+\/env-check\s+shows its environment/)
    const line = chat.logs.map(l => JSON.parse(l)).find(l => l.msg === 'command' && l.name === 'env-check')
    expect(line).toMatchObject({ source: 'file', status: 'ok', exit: 0, pod: 'chat-test-pod', node: 'phone-test' })
  })

  it('answers at once with a running message, then announces the result', async () => {
    const file = join(dir, 'slow.conf')
    const gate = join(dir, 'gate')
    await writeFile(file, `wait-gate=while [ ! -e "$ARG" ]; do sleep 0.05; done; echo opened\n`)
    chat = await startTestChat({ COMMANDS_FILE: file })
    const { status, body } = await chat.post(`/wait-gate ${gate}`)
    expect(status).toBe(201)
    expect(body.message).toMatchObject({ status: 'running', output: null })
    // Other requests are not blocked while it runs.
    expect((await chat.post('meanwhile')).status).toBe(201)
    expect((await chat.all()).find(m => m.id === body.message.id)?.status).toBe('running')
    await writeFile(gate, '')
    const stored = await waitForStatus(chat, body.message.id)
    expect(stored).toMatchObject({ status: 'ok', output: 'opened\n' })
    expect(stored?.finishedAt).toBeTruthy()
  })

  it('a non-zero exit is an error with its exit code; stderr is part of the output', async () => {
    const file = join(dir, 'fail.conf')
    await writeFile(file, 'fail=echo out; echo err >&2; exit 3\n')
    chat = await startTestChat({ COMMANDS_FILE: file })
    const { body } = await chat.post('/fail', { wait: true })
    expect(body.message).toMatchObject({ status: 'error' })
    expect(body.message.output).toContain('out\n')
    expect(body.message.output).toContain('err\n')
    expect(body.message.output).toMatch(/\[exit code 3\]$/)
  })

  it('a hanging command times out, and everything it started is stopped', async () => {
    const file = join(dir, 'hang.conf')
    const pidFile = join(dir, 'hang.pid')
    // The shell starts a background sleeper, records its pid, and waits for it forever.
    await writeFile(file, 'hang=sleep 1000 & echo $! > "$ARG"; echo started; wait\n')
    chat = await startTestChat({ COMMANDS_FILE: file, COMMAND_TIMEOUT_MS: '500' })
    const { body } = await chat.post(`/hang ${pidFile}`, { wait: true })
    expect(body.message.status).toBe('timeout')
    expect(body.message.output).toBe('started\n[timed out after 0.5 s; the command was stopped]')
    const pid = Number(await readFile(pidFile, 'utf8'))
    expect(pid).toBeGreaterThan(0)
    expect(isAlive(pid)).toBe(false)
  })

  it('cuts endless output at MAX_OUTPUT_BYTES and stops the command', async () => {
    const file = join(dir, 'yes.conf')
    await writeFile(file, 'flood=yes chat\n')
    chat = await startTestChat({ COMMANDS_FILE: file, MAX_OUTPUT_BYTES: '2048' })
    const { body } = await chat.post('/flood', { wait: true })
    expect(body.message.status).toBe('error')
    const output = body.message.output ?? ''
    expect(output.startsWith('chat\n'.repeat(409))).toBe(true)
    expect(output).toMatch(/\[output cut at 2048 bytes; the command was stopped\]$/)
    expect(Buffer.byteLength(output)).toBeLessThan(2048 + 100)
  })

  it('caps the commands running at once: the next one gets 429 and nothing is stored', async () => {
    const file = join(dir, 'cap.conf')
    const gate = join(dir, 'cap-gate')
    await writeFile(file, 'block=while [ ! -e "$ARG" ]; do sleep 0.05; done\n')
    chat = await startTestChat({ COMMANDS_FILE: file, MAX_CONCURRENT_COMMANDS: '2', MAX_QUEUED_COMMANDS: '0' })
    const first = await chat.post(`/block ${gate}`)
    const second = await chat.post(`/block ${gate}`)
    expect([first.status, second.status]).toEqual([201, 201])
    const before = (await chat.all()).length
    const third = await chat.post(`/block ${gate}`)
    expect(third.status).toBe(429)
    expect(third.headers.get('retry-after')).toBe('5')
    expect(third.body.error).toMatch(/2 commands are running/)
    // Built-ins that answer at once and plain messages still work.
    expect((await chat.post('/whoami')).status).toBe(201)
    expect((await chat.post('still chatting')).status).toBe(201)
    expect((await chat.all()).length).toBe(before + 2)
    await writeFile(gate, '')
    const c = chat
    const finished = await Promise.all([first, second].map(p => waitForStatus(c, p.body.message.id)))
    expect(finished.map(m => m.status)).toEqual(['ok', 'ok'])
    // The slots are free again.
    expect((await chat.post(`/block ${gate}`, { wait: true })).body.message.status).toBe('ok')
  })
})

describe('hot reload', () => {
  let chat: TestChat | undefined
  afterEach(async () => {
    await chat?.close()
    chat = undefined
  })

  const waitForCommand = async (c: TestChat, name: string, present = true) => {
    for (let i = 0; i < 400; i++) {
      const names = (await c.get('/api/info')).body.commands as string[]
      if (names.includes(name) === present)
        return
      await new Promise(resolve => setTimeout(resolve, 25))
    }
    throw new Error(`/${name} never ${present ? 'appeared' : 'went away'}`)
  }

  it('picks up a changed file without a restart', async () => {
    const file = join(dir, 'reload.conf')
    await writeFile(file, 'one=echo one\n')
    chat = await startTestChat({ COMMANDS_FILE: file })
    expect((await chat.post('/one', { wait: true })).body.message.output).toBe('one\n')

    // Editors and `kubectl cp` replace the file: write a new one and rename it over the old.
    await writeFile(`${file}.new`, '#: the new one\ntwo=printf "two:%s" "$ARG"\n')
    await rename(`${file}.new`, file)
    await waitForCommand(chat, 'two')
    expect((await chat.post('/two hi', { wait: true })).body.message).toMatchObject({ status: 'ok', output: 'two:hi' })
    expect((await chat.post('/one')).body.message.output).toContain('Unknown command /one.')
    expect((await chat.post('/help')).body.message.output).toMatch(/\/two\s+the new one/)
  })

  it('follows a ConfigMap volume update (the ..data symlink is swapped)', async () => {
    // The kubelet's layout: commands.conf → ..data/commands.conf, ..data → ..2024_v1 (a directory).
    const volume = join(dir, 'configmap')
    await mkdir(join(volume, '..v1'), { recursive: true })
    await writeFile(join(volume, '..v1', 'commands.conf'), 'old=echo old\n')
    await symlink('..v1', join(volume, '..data'))
    await symlink('..data/commands.conf', join(volume, 'commands.conf'))
    chat = await startTestChat({ COMMANDS_FILE: join(volume, 'commands.conf') })
    expect((await chat.post('/old', { wait: true })).body.message.output).toBe('old\n')

    await mkdir(join(volume, '..v2'))
    await writeFile(join(volume, '..v2', 'commands.conf'), 'new=echo new\n')
    await symlink('..v2', join(volume, '..data_tmp'))
    await rename(join(volume, '..data_tmp'), join(volume, '..data'))
    await rm(join(volume, '..v1'), { recursive: true })

    await waitForCommand(chat, 'new')
    expect((await chat.post('/new', { wait: true })).body.message).toMatchObject({ status: 'ok', output: 'new\n' })
    await waitForCommand(chat, 'old', false)
  })

  it('keeps the last good commands while the file is missing', async () => {
    const file = join(dir, 'vanish.conf')
    await writeFile(file, 'stay=echo stay\n')
    chat = await startTestChat({ COMMANDS_FILE: file })
    await rm(file)
    await chat.commands.reload()
    expect((await chat.post('/stay', { wait: true })).body.message.output).toBe('stay\n')
    expect(chat.logs.some(l => l.includes('commands file unreadable'))).toBe(true)
  })

  it('a file entry replaces /whoami and /llm, but never /help or /clear', async () => {
    const file = join(dir, 'replace.conf')
    await writeFile(file, 'whoami=echo "mine: $POD_NAME"\nllm=printf "file llm: %s" "$ARG"\nhelp=echo hijacked\n')
    chat = await startTestChat({ COMMANDS_FILE: file })
    expect((await chat.post('/whoami', { wait: true })).body.message.output).toBe('mine: chat-test-pod\n')
    expect((await chat.post('/llm hi', { wait: true })).body.message.output).toBe('file llm: hi')
    expect((await chat.post('/help')).body.message.output).not.toContain('hijacked')
    expect((await chat.post('/clear')).body.clear).toBe(true)
  })
})
