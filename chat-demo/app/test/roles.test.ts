// Audience and speaker: the audience's listener (what the funnel publishes) may post and use the
// harmless commands; camera, orientation and whatever the commands file marks speaker-only work on
// the speaker's listener (the tailnet) only. The speaker hides messages and pauses the audience.
// No header a client sends changes its role.
import type { Message } from '../src/store/types.ts'
import type { TestChat } from './support/chat.ts'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseCommandsFile } from '../src/commands/file.ts'
import { startTestChat } from './support/chat.ts'
import { openEvents } from './support/sse-client.ts'

const FILE = [
  '#: repeats its argument',
  'echo=printf %s "$ARG"',
  '#@ speaker-only',
  '#: takes a photo',
  'capture=echo photo taken',
  '#: which way the phone points',
  '#@ speaker-only',
  'orientation=echo north',
].join('\n')

/** Headers a hostile client could add to look like the speaker or like the tailnet. */
const FORGED: Record<string, string>[] = [
  { 'tailscale-user-login': 'speaker@example.com', 'tailscale-user-name': 'The Speaker', 'tailscale-user-profile-pic': 'x' },
  { 'x-forwarded-for': '100.101.102.103', 'x-real-ip': '100.101.102.103', 'forwarded': 'for=100.101.102.103' },
  { 'x-forwarded-host': 'phone-b:8080', 'x-forwarded-port': '8080', 'x-forwarded-proto': 'http' },
  { 'tailscale-funnel-request': '0', 'x-chat-role': 'speaker', 'cookie': 'role=speaker' },
]

let dir: string
let chat: TestChat
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-roles-'))
  await writeFile(join(dir, 'commands.conf'), FILE)
  chat = await startTestChat({ COMMANDS_FILE: join(dir, 'commands.conf'), MESSAGE_BURST: '1000' })
})
afterAll(async () => {
  await chat.close()
  await rm(dir, { recursive: true, force: true })
})

async function send(base: string, text: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/api/messages?wait=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ text }),
  })
  return { status: response.status, body: (await response.json()) as { message: Message, error?: string } }
}

function control(base: string, path: string, body?: unknown) {
  return fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
}

describe('the commands file marks commands speaker-only', () => {
  it('reads "#@ speaker-only" above a command, and warns about unknown marks', () => {
    const parsed = parseCommandsFile(`${FILE}\n#@ root\nrm=true`)
    expect(parsed.commands.get('capture')?.speakerOnly).toBe(true)
    expect(parsed.commands.get('orientation')?.speakerOnly).toBe(true)
    expect(parsed.commands.get('orientation')?.description).toBe('which way the phone points')
    expect(parsed.commands.get('echo')?.speakerOnly).toBe(false)
    expect(parsed.commands.get('rm')?.speakerOnly).toBe(false)
    expect(parsed.warnings).toEqual([expect.stringMatching(/line 9: unknown mark "root"/)])
  })
})

describe('the audience', () => {
  it('posts messages and uses the harmless commands', async () => {
    expect((await send(chat.audienceUrl, 'hello from row 12')).status).toBe(201)
    const echo = await send(chat.audienceUrl, '/echo hi')
    expect(echo.status).toBe(201)
    expect(echo.body.message).toMatchObject({ status: 'ok', output: 'hi' })
    expect((await send(chat.audienceUrl, '/whoami')).body.message.status).toBe('ok')
  })

  it('cannot run speaker-only commands or the speaker\'s own ones, whatever headers it sends (403, nothing stored)', async () => {
    const before = (await chat.all()).length
    for (const headers of [{}, ...FORGED]) {
      for (const text of ['/capture', '/capture front', '/orientation', '/hide 1', '/pause', '/resume']) {
        const answer = await send(chat.audienceUrl, text, headers)
        expect(answer.status, `${text} ${JSON.stringify(headers)}`).toBe(403)
        expect(answer.body.error).toMatch(/speaker/)
      }
    }
    expect((await chat.all()).length).toBe(before)
  })

  it('sees only the commands it may use in /help and /api/info', async () => {
    const help = (await send(chat.audienceUrl, '/help')).body.message.output ?? ''
    expect(help).toMatch(/\/echo/)
    expect(help).not.toMatch(/\/capture|\/orientation|\/hide|\/pause/)
    const info = await (await fetch(`${chat.audienceUrl}/api/info`)).json()
    expect(info.commands).toEqual(['clear', 'echo', 'help', 'llm', 'whoami'])
    expect(info.role).toBe('audience')
  })

  it('cannot hide messages or pause posting through the endpoints (403)', async () => {
    const { message } = (await send(chat.audienceUrl, 'keep me')).body
    for (const headers of [{}, ...FORGED]) {
      const hide = await fetch(`${chat.audienceUrl}/api/messages/${message.id}/hide`, { method: 'POST', headers })
      expect(hide.status).toBe(403)
      const pause = await fetch(`${chat.audienceUrl}/api/audience`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: '{"posting": false}' })
      expect(pause.status).toBe(403)
    }
    expect((await chat.all()).some(m => m.id === message.id)).toBe(true)
    expect((await send(chat.audienceUrl, 'still open')).status).toBe(201)
  })
})

describe('the speaker', () => {
  it('runs every command on the tailnet listener', async () => {
    expect((await send(chat.url, '/capture')).body.message).toMatchObject({ status: 'ok', output: 'photo taken\n' })
    expect((await send(chat.url, '/orientation')).body.message).toMatchObject({ status: 'ok', output: 'north\n' })
    const help = (await send(chat.url, '/help')).body.message.output ?? ''
    expect(help).toMatch(/\/capture.*speaker only/)
    expect(help).toMatch(/\/hide ID/)
  })

  it('hides a message for everyone, live, with /hide ID or POST /api/messages/ID/hide', async () => {
    const events = await openEvents(`${chat.audienceUrl}/api/events`)
    try {
      const first = (await send(chat.audienceUrl, 'something rude')).body.message
      const second = (await send(chat.audienceUrl, 'something worse')).body.message
      const hidden = await send(chat.url, `/hide ${first.id}`)
      expect(hidden.body.message).toMatchObject({ status: 'ok' })
      expect(hidden.body.message.output).toMatch(new RegExp(`message ${first.id} is hidden`))
      expect((await control(chat.url, `/api/messages/${second.id}/hide`)).status).toBe(200)
      for (const id of [first.id, second.id]) await events.waitFor(e => e.event === 'hide' && JSON.parse(e.data).id === id)
      for (const base of [chat.url, chat.audienceUrl]) {
        const page = await (await fetch(`${base}/api/messages?limit=200`)).json()
        expect(page.messages.map((m: Message) => m.id)).not.toContain(first.id)
        expect(page.messages.map((m: Message) => m.id)).not.toContain(second.id)
      }
      expect((await control(chat.url, '/api/messages/999999/hide')).status).toBe(404)
      expect((await send(chat.url, '/hide twelve')).body.message.status).toBe('error')
    }
    finally {
      events.close()
    }
  })

  it('pauses and resumes audience posting (/pause, /resume or PUT /api/audience), announced live', async () => {
    const events = await openEvents(`${chat.audienceUrl}/api/events`)
    try {
      expect((await send(chat.url, '/pause')).body.message.status).toBe('ok')
      await events.waitFor(e => e.event === 'audience' && JSON.parse(e.data).posting === false)
      const refused = await send(chat.audienceUrl, 'let me in')
      expect(refused.status).toBe(403)
      expect(refused.body.error).toMatch(/paused/)
      expect((await send(chat.url, 'the speaker still talks')).status).toBe(201)
      expect(await (await fetch(`${chat.audienceUrl}/api/audience`)).json()).toMatchObject({ posting: false })

      expect((await send(chat.url, '/resume')).body.message.status).toBe('ok')
      await events.waitFor(e => e.event === 'audience' && JSON.parse(e.data).posting === true)
      expect((await send(chat.audienceUrl, 'back again')).status).toBe(201)

      const put = (posting: boolean) => fetch(`${chat.url}/api/audience`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ posting }) })
      expect((await put(false)).status).toBe(200)
      expect((await send(chat.audienceUrl, 'paused again?')).status).toBe(403)
      expect((await put(true)).status).toBe(200)
      expect((await send(chat.audienceUrl, 'open again')).status).toBe(201)
    }
    finally {
      events.close()
    }
  })
})

describe('the audience listener', () => {
  const external = Object.values(networkInterfaces())
    .flat()
    .find(address => address && address.family === 'IPv4' && !address.internal)
    ?.address

  it.skipIf(!external)('listens on the loopback only: not reachable on the machine\'s other addresses', async () => {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: external!, port: chat.audiencePort })
      socket.once('connect', () => {
        socket.destroy()
        resolve(false)
      })
      socket.once('error', () => resolve(true))
    })
    expect(refused).toBe(true)
  })
})
