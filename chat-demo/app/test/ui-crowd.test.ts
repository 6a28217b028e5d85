// The page under a crowd, in the system Chromium: a flood of messages keeps a bounded list on screen,
// JSON output is never pretty-printed without bound, the queue shows each command's place, hidden
// messages vanish, a paused audience is told so, and a page refused for a full room connects later.
import type { Browser, Page } from 'playwright-core'
import type { TestChat } from './support/chat.ts'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../tools/chromium.ts'
import { startTestChat } from './support/chat.ts'
import { openEvents } from './support/sse-client.ts'

let dir: string
let chat: TestChat
let browser: Browser

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-ui-crowd-'))
  await writeFile(join(dir, 'commands.conf'), ['gated=while [ ! -e "$ARG" ]; do sleep 0.05; done; echo opened', 'print=printf %s "$ARG"'].join('\n'))
  chat = await startTestChat({ COMMANDS_FILE: join(dir, 'commands.conf'), MAX_CONCURRENT_COMMANDS: '1', MAX_EVENT_STREAMS: '3', MESSAGE_BURST: '1000' })
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await chat?.close()
  await rm(dir, { recursive: true, force: true })
})

async function open(url = chat.audienceUrl): Promise<{ page: Page, errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } })
  const errors: string[] = []
  page.on('pageerror', error => errors.push(error.message))
  await page.goto(url)
  return { page, errors }
}

function message(id: number, text: string, extra: object = {}) {
  return {
    id,
    text,
    createdAt: new Date().toISOString(),
    pod: 'chat-test-pod',
    node: 'phone-test',
    command: null,
    status: null,
    output: null,
    finishedAt: null,
    ...extra,
  }
}

describe('a flood of messages', () => {
  it('keeps at most 200 messages on screen, the newest ones, and "Load older messages" offered', async () => {
    const { page, errors } = await open()
    try {
      await page.waitForSelector('#status[data-state="live"]')
      // As posts arrive over HTTP: in bursts, with the event loop turning in between.
      for (let i = 1; i <= 2000; i++) {
        chat.hub.publish('message', message(1_000_000 + i, `flood ${i}`))
        if (i % 50 === 0)
          await new Promise(resolve => setImmediate(resolve))
      }
      await page.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some(n => n.textContent === 'flood 2000'), undefined, { timeout: 20_000 })
      const count = await page.locator('#messages li').count()
      expect(count).toBeLessThanOrEqual(200)
      const texts = await page.$$eval('#messages .text', nodes => nodes.map(n => n.textContent))
      expect(texts.at(-1)).toBe('flood 2000')
      expect(texts).not.toContain('flood 1')
      expect(await page.isVisible('#older')).toBe(true)
      expect(errors).toEqual([])
    }
    finally {
      await page.close()
    }
  })

  it('shows deeply nested JSON output as it came instead of pretty-printing it a thousandfold', async () => {
    const { page } = await open()
    try {
      await page.waitForSelector('#status[data-state="live"]')
      const nested = `${'['.repeat(999)}${']'.repeat(999)}`
      chat.hub.publish('update', message(2_000_001, '/print', { command: 'print', status: 'ok', output: nested, finishedAt: new Date().toISOString() }))
      chat.hub.publish('update', message(2_000_002, '/print', { command: 'print', status: 'ok', output: '{"a":[1,2]}', finishedAt: new Date().toISOString() }))
      await page.locator('#messages li[data-id="2000002"] .output').waitFor()
      expect(await page.locator('#messages li[data-id="2000001"] .output').textContent()).toBe(nested)
      expect(await page.locator('#messages li[data-id="2000002"] .output').textContent()).toBe(JSON.stringify({ a: [1, 2] }, null, 2))
    }
    finally {
      await page.close()
    }
  })
})

describe('the queue, hiding and pausing', () => {
  it('shows a waiting command\'s place in the queue, then its output', async () => {
    const gate = join(dir, 'gate')
    const { page } = await open(chat.url)
    try {
      await page.waitForSelector('#status[data-state="live"]')
      await chat.post(`/gated ${gate}`)
      const second = await chat.post(`/gated ${gate}`)
      expect(second.body).toMatchObject({ queue: { position: 1 } })
      const li = page.locator(`#messages li[data-id="${second.body.message.id}"]`)
      await li.locator('.queued', { hasText: 'number 1 in the queue' }).waitFor()
      await writeFile(gate, '')
      await li.locator('.output').waitFor()
      expect(await li.locator('.queued').count()).toBe(0)
    }
    finally {
      await page.close()
    }
  })

  it('removes a hidden message from every screen, and tells a paused audience', async () => {
    const { page } = await open()
    try {
      await page.waitForSelector('#status[data-state="live"]')
      const { body } = await chat.post('please hide me')
      const li = page.locator(`#messages li[data-id="${body.message.id}"]`)
      await li.waitFor()
      expect(await li.locator('.chip.id').textContent()).toBe(`#${body.message.id}`)
      await chat.post(`/hide ${body.message.id}`)
      await li.waitFor({ state: 'detached' })

      await chat.post('/pause')
      await page.locator('#notice', { hasText: 'paused' }).waitFor()
      expect(await page.isDisabled('#text')).toBe(true)
      await chat.post('/resume')
      await page.locator('#notice').waitFor({ state: 'hidden' })
      expect(await page.isDisabled('#text')).toBe(false)
    }
    finally {
      await page.close()
    }
  })
})

describe('a full room', () => {
  it('says the page has no live connection yet, and connects once there is room', async () => {
    for (let i = 0; chat.hub.size > 0; i++) {
      if (i > 500)
        throw new Error('the earlier pages are still connected')
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    const others = await Promise.all(Array.from({ length: 3 }, () => openEvents(`${chat.audienceUrl}/api/events`)))
    const { page } = await open()
    try {
      await page.locator('#status', { hasText: 'room may be full' }).waitFor()
      for (const other of others) other.close()
      await page.waitForSelector('#status[data-state="live"]', { timeout: 30_000 })
    }
    finally {
      await page.close()
    }
  }, 60_000)
})
