import type { Buffer } from 'node:buffer'
import type { ChildProcess } from 'node:child_process'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestChat } from '../../chat-demo/app/test/support/chat.ts'
import type { DeckServer } from '../../tools/static-server.ts'
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deckBasePath } from '../../build/project.ts'
import { startTestChat } from '../../chat-demo/app/test/support/chat.ts'
import { launchChromium } from '../../tools/chromium.ts'
import { repoRoot } from '../../tools/deck.ts'
import { freePort } from '../../tools/free-port.ts'
import { PHONE } from '../../tools/measure.ts'
import { serveDeck } from '../../tools/static-server.ts'
import { builtDeck } from '../support/deck-builds.ts'
import { heldAtTop } from '../support/reading.ts'

// Follow the speaker, end to end: the real chat app (speaker listener + audience listener, CORS for the
// deck's origin), the deck's real dev server as the presenter's (announcing to the speaker listener), and the
// built deck — configured with the chat's public address — on an audience phone, following the audience
// listener. The speaker is simulated by a browser window on the dev server's presenter view.

let chat: TestChat
let deck: DeckServer
let browser: Browser
let audience: BrowserContext
let presenter: Page
let devServer: ChildProcess
let devUrl: string
const chatRequests: string[] = []

/** `slidev` on the real deck (tools/dev-server.ts, its own Vite cache), announcing to `chatUrl`. */
async function startDevServer(chatUrl: string): Promise<{ child: ChildProcess, url: string }> {
  const port = await freePort()
  const child = spawn(process.execPath, [join(repoRoot, 'tools/dev-server.ts'), String(port), mkdtempSync(join(tmpdir(), 'follow-vite-'))], {
    cwd: repoRoot,
    env: { ...process.env, CHAT_SPEAKER_URL: chatUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      if (/listening on/.test(output))
        resolve()
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', code => reject(new Error(`the dev server exited with ${code}:\n${output.slice(-3000)}`)))
  })
  return { child, url: `http://127.0.0.1:${port}/` }
}

const speakerSlide = async () => (await (await fetch(`${chat.audienceUrl}/api/slide`)).json()).slide

async function present(no: number) {
  await presenter.evaluate(target => (location.hash = `#/presenter/${target}`), no)
  await expect.poll(speakerSlide, { timeout: 30_000 }).toBe(no)
}

/** A finger moving up the screen from `fromY` to `toY`, as touch events (the page scrolls down). */
async function drag(page: Page, fromY: number, toY: number) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: 200, y: fromY }] })
  for (let i = 1; i <= 10; i++)
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: 200, y: fromY + ((toY - fromY) * i) / 10 }] })
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] })
  await cdp.detach()
  // The page coasts on after the finger lifts (a fling); a tap during it only stops the page, as on a phone, and
  // clicks nothing. Wait, as a reader would, until it has stood still for ten frames.
  await page.evaluate(() => new Promise<void>((done) => {
    let last = scrollY
    let still = 0
    const frame = () => {
      still = scrollY === last ? still + 1 : 0
      last = scrollY
      if (still >= 10)
        done()
      else
        requestAnimationFrame(frame)
    }
    requestAnimationFrame(frame)
  }))
}

async function openAudience(hash: string): Promise<Page> {
  const page = await audience.newPage()
  page.on('request', (request) => {
    if (request.url().startsWith(chat.audienceUrl) || request.url().startsWith(chat.url))
      chatRequests.push(`${request.method()} ${new URL(request.url()).pathname}`)
  })
  await page.goto(`${deck.url}${hash}`)
  return page
}

beforeAll(async () => {
  const audiencePort = await freePort()
  const dist = await builtDeck([], { CHAT_PUBLIC_URL: `http://127.0.0.1:${audiencePort}` })
  deck = await serveDeck(dist, deckBasePath)
  chat = await startTestChat({ AUDIENCE_PORT: String(audiencePort), DECK_ORIGIN: new URL(deck.url).origin })
  const dev = await startDevServer(chat.url)
  devServer = dev.child
  devUrl = dev.url
  browser = await launchChromium()
  audience = await browser.newContext({ ...PHONE, serviceWorkers: 'block' })
  presenter = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage()
  await presenter.goto(`${devUrl}#/presenter/3`, { timeout: 300_000 })
  await presenter.waitForSelector('.slidev-page-3 .slidev-layout', { timeout: 300_000 })
})

afterAll(async () => {
  await browser?.close()
  devServer?.kill('SIGTERM')
  await deck?.stop()
  await chat?.close()
})

describe('following the speaker', () => {
  it('the presenter\'s dev server announces the slide to the chat as the speaker; the audience listener refuses it', async () => {
    await expect.poll(speakerSlide, { timeout: 30_000 }).toBe(3)
    await present(5)
    const fromAudience = await fetch(`${chat.audienceUrl}/api/slide`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"slide": 9}' })
    expect(fromAudience.status).toBe(403)
    expect(await speakerSlide()).toBe(5)
  })

  it('the reading view follows until the reader scrolls away, and "Back to the speaker" returns', async () => {
    await present(4)
    const page = await openAudience('#/read')
    await heldAtTop(page, 4)
    await present(7)
    await heldAtTop(page, 7)
    expect(new URL(page.url()).hash).toBe('#/read/7')

    // A tap is not leaving: the page stays with the speaker…
    await page.locator('.kop-reading-title').tap()
    await present(8)
    await heldAtTop(page, 8)
    // …but the reader's finger scrolling on their own is: the page stays where they are when the speaker moves on.
    await drag(page, 600, 250)
    const back = page.getByRole('button', { name: 'Back to the speaker' })
    await back.waitFor()
    await present(10)
    await expect.poll(() => back.getAttribute('title'), { timeout: 30_000 }).toBe('Back to the speaker, on slide 10')
    const reading = Number(new URL(page.url()).hash.split('/').pop())
    expect(reading).toBeLessThan(10)

    await back.tap()
    await heldAtTop(page, 10)
    await expect.poll(() => back.count(), { timeout: 30_000 }).toBe(0)
    expect(await page.getByRole('status').filter({ hasText: 'live' }).count()).toBe(1)
    await page.close()
  })

  it('the slides view follows until the reader goes to another slide, and the nav bar brings them back', async () => {
    await present(12)
    const page = await openAudience('#/2')
    await page.waitForSelector('.slidev-page-12 .slidev-layout', { state: 'visible' })
    expect(new URL(page.url()).hash).toBe('#/12')
    await present(13)
    await page.waitForSelector('.slidev-page-13 .slidev-layout', { state: 'visible' })

    await page.getByTitle('Go to previous slide').tap()
    await page.waitForSelector('.slidev-page-12 .slidev-layout', { state: 'visible' })
    const back = page.getByRole('button', { name: 'Back to the speaker' })
    await back.waitFor()
    await present(15)
    await expect.poll(() => back.getAttribute('title'), { timeout: 30_000 }).toBe('Back to the speaker, on slide 15')
    expect(new URL(page.url()).hash).toMatch(/^#\/12(\?|$)/) // (with the slide's last click step)

    await back.tap()
    await page.waitForSelector('.slidev-page-15 .slidev-layout', { state: 'visible' })
    expect(new URL(page.url()).hash).toBe('#/15')
    await page.close()
  })

  it('the audience\'s pages only ever read from the chat, from its public listener', () => {
    expect(chatRequests.length).toBeGreaterThan(0)
    expect([...new Set(chatRequests)]).toEqual(['GET /api/events'])
  })
})
