// The page in a real browser (the system Chromium through playwright-core): XSS payloads from
// messages and from command output are shown as text; live updates; keyboard; phone and projector.
import type { Browser, Page } from 'playwright-core'
import type { TestChat } from './support/chat.ts'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../../tools/chromium.ts'
import { startTestChat } from './support/chat.ts'

const XSS = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=1</script>',
  '<svg onload="window.__xss=1"><circle r=5></svg>',
  '"><iframe src="javascript:window.__xss=1"></iframe>',
  '<a href="javascript:window.__xss=1">click me</a>',
  '<b>bold?</b> &lt;not an entity&gt; &amp;',
  '<style>body{display:none}</style>',
  '\'; window.__xss=1; \'',
  '{{constructor.constructor("window.__xss=1")()}}',
  '<details open ontoggle="window.__xss=1">',
  '\u202Egnp.exe <math><mi xlink:href="javascript:window.__xss=1">x</mi></math>',
]

let dir: string
let chat: TestChat
let browser: Browser

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chat-ui-'))
  await writeFile(
    join(dir, 'commands.conf'),
    ['#: prints its argument', 'echo-arg=printf %s "$ARG"', 'gated=while [ ! -e "$ARG" ]; do sleep 0.05; done; echo opened'].join('\n'),
  )
  chat = await startTestChat({ COMMANDS_FILE: join(dir, 'commands.conf'), POD_NAME: 'chat-7f9c', NODE_NAME: 'phone-a' })
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await chat?.close()
  await rm(dir, { recursive: true, force: true })
})

async function open(viewport = { width: 390, height: 844 }): Promise<{ page: Page, dialogs: string[], errors: string[] }> {
  const page = await browser.newPage({ viewport })
  const dialogs: string[] = []
  const errors: string[] = []
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  page.on('pageerror', error => errors.push(error.message))
  await page.goto(chat.url)
  await page.waitForSelector('#status[data-state="live"]')
  return { page, dialogs, errors }
}

const texts = (page: Page) => page.$$eval('#messages .text', nodes => nodes.map(n => n.textContent))

describe('the page', () => {
  it('shows XSS payloads as text, whether loaded, typed or pushed live', async () => {
    for (const payload of XSS.slice(0, 4)) expect((await chat.post(payload)).status).toBe(201)
    const { page, dialogs, errors } = await open()
    try {
      // Loaded from /api/messages.
      await page.waitForFunction(n => document.querySelectorAll('#messages li').length >= n, 4)
      // Typed into the page and sent with Enter.
      for (const payload of XSS.slice(4, 8)) {
        await page.fill('#text', payload)
        await page.press('#text', 'Enter')
        await page.waitForFunction(p => [...document.querySelectorAll('#messages .text')].some(n => n.textContent === p), payload)
      }
      // Posted by someone else and pushed over server-sent events.
      for (const payload of XSS.slice(8)) await chat.post(payload)
      // As command output, including JSON that gets pretty-printed.
      const json = JSON.stringify({ html: '<img src=x onerror="window.__xss=1">', n: 1 })
      await chat.post(`/echo-arg ${json}`, { wait: true })
      await chat.post(`/echo-arg ${XSS[0]}`, { wait: true })
      await page.waitForFunction(() => document.querySelectorAll('#messages .output').length >= 2)

      const shown = await texts(page)
      for (const payload of XSS) expect(shown, payload).toContain(payload)
      const outputs = await page.$$eval('#messages .output', nodes => nodes.map(n => n.textContent))
      expect(outputs).toContain(JSON.stringify(JSON.parse(json), null, 2))
      expect(outputs).toContain(XSS[0])

      const injected = await page.$$eval('#messages img, #messages script, #messages svg, #messages iframe, #messages a, #messages b, #messages style, #messages details, #messages math', n => n.length)
      expect(injected).toBe(0)
      expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined()
      expect(dialogs).toEqual([])
      expect(errors).toEqual([])
    }
    finally {
      await page.close()
    }
  })

  it('chips say which pod and node handled each message', async () => {
    await chat.post('whose message is this?')
    const { page } = await open()
    try {
      const li = page.locator('#messages li', { hasText: 'whose message is this?' }).last()
      await li.waitFor()
      expect(await li.locator('.chip.pod').textContent()).toBe('pod chat-7f9c')
      expect(await li.locator('.chip.node').textContent()).toBe('node phone-a')
      expect(await page.textContent('#status')).toContain('pod chat-7f9c on node phone-a')
    }
    finally {
      await page.close()
    }
  })

  it('shows "thinking" while a command runs, then its output', async () => {
    const gate = join(dir, 'gate')
    const { page } = await open()
    try {
      await page.fill('#text', `/gated ${gate}`)
      await page.press('#text', 'Enter')
      const li = page.locator('#messages li.command', { hasText: `/gated ${gate}` })
      await li.locator('.thinking').waitFor()
      expect(await li.getAttribute('aria-busy')).toBe('true')
      await writeFile(gate, '')
      await li.locator('.output').waitFor()
      expect(await li.locator('.output').textContent()).toBe('opened\n')
      expect(await li.locator('.thinking').count()).toBe(0)
    }
    finally {
      await page.close()
    }
  })

  it('is keyboard friendly: Shift+Enter for a new line, Enter sends, ↑ recalls, errors are announced', async () => {
    const { page } = await open()
    try {
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('text')
      await page.keyboard.type('line one')
      await page.keyboard.press('Shift+Enter')
      await page.keyboard.type('line two')
      await page.keyboard.press('Enter')
      await page.waitForFunction(() => [...document.querySelectorAll('#messages .text')].some(n => n.textContent === 'line one\nline two'))
      expect(await page.inputValue('#text')).toBe('')
      await page.keyboard.press('ArrowUp')
      expect(await page.inputValue('#text')).toBe('line one\nline two')

      await page.fill('#text', '   ')
      await page.keyboard.press('Enter')
      expect(await page.textContent('#error')).toBe('Type a message first.')
      expect(await page.getAttribute('#error', 'role')).toBe('alert')
    }
    finally {
      await page.close()
    }
  })

  it('/clear empties this screen only; "Load older messages" brings them back', async () => {
    await chat.post('before the clear')
    const { page } = await open()
    try {
      await page.locator('#messages li', { hasText: 'before the clear' }).waitFor()
      await page.fill('#text', '/clear')
      await page.press('#text', 'Enter')
      await page.waitForFunction(() => document.querySelectorAll('#messages li').length === 0)
      await page.reload()
      await page.waitForSelector('#status[data-state="live"]')
      expect(await page.locator('#messages li').count()).toBe(0)
      await page.click('#older')
      await page.locator('#messages li', { hasText: 'before the clear' }).waitFor()
    }
    finally {
      await page.close()
    }
  })

  it.each([
    ['a phone in portrait', { width: 360, height: 740 }],
    ['a projector', { width: 1920, height: 1080 }],
  ])('fits %s without sideways scrolling, the input always visible', async (_name, viewport) => {
    await chat.post(`a-very-long-word-without-spaces-${'x'.repeat(300)}`)
    await chat.post('/help')
    const { page } = await open(viewport)
    try {
      await page.waitForFunction(() => document.querySelectorAll('#messages li').length > 0)
      const layout = await page.evaluate(() => {
        const box = document.getElementById('text')?.getBoundingClientRect()
        return {
          scrollWidth: document.documentElement.scrollWidth,
          width: window.innerWidth,
          inputBottom: box?.bottom ?? Infinity,
          fontSize: Number.parseFloat(getComputedStyle(document.documentElement).fontSize),
        }
      })
      expect(layout.scrollWidth).toBeLessThanOrEqual(layout.width)
      expect(layout.inputBottom).toBeLessThanOrEqual(viewport.height)
      expect(layout.fontSize).toBeGreaterThanOrEqual(viewport.width > 1000 ? 20 : 16)
    }
    finally {
      await page.close()
    }
  })
})
