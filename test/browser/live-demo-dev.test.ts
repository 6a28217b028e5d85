// Live demos in a real `slidev` dev server (the fixture deck, on a free port of localhost), in Chromium:
// the run button runs the slide's harmless script in a terminal on the slide, the presenter window shows
// the same session, closing it ends the process; ClusterView follows the simulated cluster live
// (tools/phone-sim: k3s on phone-a with the echo server, watched with phone-a's kubectl).
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { Sim } from '../../tools/phone-sim/index.ts'
import type { DevServer } from './live-demo-support.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../tools/chromium.ts'
import { createSim } from '../../tools/phone-sim/index.ts'
import { alive, startDevServer } from './live-demo-support.ts'

let sim: Sim
let server: DevServer
let browser: Browser
let context: BrowserContext
const pageErrors: string[] = []

const echoPods = () => sim.world().cluster!.objects.filter(o => o.kind === 'Pod' && o.metadata.labels?.['app.kubernetes.io/name'] === 'echo').map(o => o.metadata.name)

beforeAll(async () => {
  sim = createSim()
  sim.setup('phone-a', 'server')
  const deploy = sim.run('phone-a', 'echo-demo/scripts/03-deploy-echo.sh')
  expect(deploy.code, deploy.output).toBe(0)
  server = await startDevServer(undefined, [], { LIVE_DEMO_FIXTURE_KUBECTL: sim.programOn('phone-a', 'kubectl') })
  browser = await launchChromium()
  context = await browser.newContext({ viewport: { width: 1280, height: 720 } })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  sim?.cleanup()
})

async function open(hash: string): Promise<Page> {
  const page = await context.newPage()
  page.on('pageerror', error => pageErrors.push(`${hash}: ${error.message}`))
  await page.goto(`${server.url}#/${hash}`, { waitUntil: 'networkidle' })
  return page
}

function terminalText(page: Page, no: number) {
  return page.locator(`.slidev-page-${no} .kop-live-terminal .xterm-rows`).innerText().catch(() => '')
}

async function waitForTerminal(page: Page, no: number, pattern: RegExp) {
  await expect.poll(() => terminalText(page, no), { timeout: 30_000 }).toMatch(pattern)
  return terminalText(page, no)
}

describe('a live demo in the dev server', () => {
  it('runs the slide\'s script in a terminal on the slide, in the audience and the presenter window', async () => {
    const audience = await open('2')
    const run = audience.locator('.slidev-page-2 .kop-live-run')
    await run.waitFor({ timeout: 60_000 })
    expect(await run.innerText()).toContain('run')

    const presenter = await open('presenter/2')
    await presenter.locator('.slidev-page-2 .kop-live-run').waitFor({ timeout: 60_000 })

    // (A page reload would lose the terminal: the first use of xterm.js must not make Vite re-optimize.)
    await audience.evaluate(() => Object.assign(window, { loadedOnce: true }))
    await run.click()
    expect(await waitForTerminal(audience, 2, /hello from the live demo, in live-demo/)).toMatch(/type something:/)
    // The presenter window shows the same session, without starting a second one.
    await waitForTerminal(presenter, 2, /hello from the live demo, in live-demo/)

    // Typing in the terminal goes to the script; its answer appears in both windows.
    await audience.locator('.slidev-page-2 .kop-live-terminal .xterm').click()
    await audience.keyboard.type('from the test')
    await audience.keyboard.press('Enter')
    const text = await waitForTerminal(audience, 2, /you typed: from the test[\s\S]*\(pid \d+\)/)
    await waitForTerminal(presenter, 2, /you typed: from the test/)
    const pid = Number(text.match(/\(pid (\d+)\)/)![1])
    expect(alive(pid)).toBe(true)
    expect(await audience.locator('.slidev-page-2 .kop-live-terminal-state').innerText()).toBe('live on this laptop')
    expect(await audience.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true)

    // Closing it in the presenter window ends the process and closes it everywhere.
    await presenter.locator('.slidev-page-2 .kop-live-terminal-close').click()
    await expect.poll(() => audience.locator('.kop-live-terminal').count(), { timeout: 15_000 }).toBe(0)
    await expect.poll(() => presenter.locator('.kop-live-terminal').count(), { timeout: 15_000 }).toBe(0)
    await expect.poll(() => alive(pid), { timeout: 15_000 }).toBe(false)
    await audience.close()
    await presenter.close()
  })

  it('runs it with the key t, and closing the window ends the process', async () => {
    const page = await open('2')
    await page.locator('.slidev-page-2 .kop-live-run').waitFor({ timeout: 60_000 })
    await page.locator('.slidev-page-2 h1').click() // focus on the slide, not in a text field
    await page.keyboard.press('t')
    await waitForTerminal(page, 2, /type something:/)
    await page.keyboard.type('x')
    await page.keyboard.press('Enter')
    const pid = Number((await waitForTerminal(page, 2, /\(pid \d+\)/)).match(/\(pid (\d+)\)/)![1])
    await page.close() // the socket drops
    await expect.poll(() => alive(pid), { timeout: 15_000 }).toBe(false)
  })

  it('offers no run button for a file that is not a demo script', async () => {
    const page = await open('2')
    await page.locator('.slidev-page-2 .kop-live-run').waitFor({ timeout: 60_000 }) // live demos are on
    await page.goto(`${server.url}#/3`)
    await page.locator('.slidev-page-3 .kop-code-pill').waitFor()
    expect(await page.locator('.slidev-page-3 .kop-code-pill').innerText()).toContain('scripts/config.yaml')
    expect(await page.locator('.slidev-page-3 .kop-live-run').count()).toBe(0)
    await page.close()
  })

  it('draws the cluster live (kubectl get --watch), not the recording, and follows its changes', async () => {
    const page = await open('5')
    await page.locator('.slidev-page-5 .kop-cluster[data-mode="live"]').waitFor({ timeout: 60_000 })
    const chips = page.locator('.slidev-page-5 [data-node="phone-a"] .kop-pod:not(.kop-pod-leave-active)')
    const before = echoPods()
    expect(before).toHaveLength(2) // 03-deploy-echo.sh: two replicas, both on phone-a
    for (const pod of before) await page.locator(`.slidev-page-5 [data-node="phone-a"] [data-pod="${pod}"]`).waitFor()
    // Chips of the recording that was on screen before may still be fading out (Vue's leave transition).
    await expect.poll(() => chips.count(), { timeout: 15_000 }).toBe(2)
    expect(await page.locator('.slidev-page-5 [data-node="phone-b"]').getAttribute('class')).toContain('absent')
    expect(await page.locator('.slidev-page-5 .kop-cluster-foot').innerText()).toContain('live from the cluster')

    // A script scales the echo server on the phone: the new pod appears while the slide is open.
    const scale = sim.run('phone-a', 'echo-demo/scripts/05-scale-echo.sh', ['3'])
    expect(scale.code, scale.output).toBe(0)
    const added = echoPods().filter(pod => !before.includes(pod))
    expect(added).toHaveLength(1)
    await page.locator(`.slidev-page-5 [data-node="phone-a"] [data-pod="${added[0]}"]`).waitFor({ timeout: 15_000 })
    await expect.poll(() => chips.count(), { timeout: 15_000 }).toBe(3)
    await page.close()
  })

  it('had no page errors', () => {
    expect(pageErrors).toEqual([])
  })
})
