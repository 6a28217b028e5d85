// Live demos and the built deck: no terminal code or endpoint in `slidev build` output (the real deck and
// the fixture deck), and in the fixture deck built and served under the project's base path, a cast
// plays in the bundled asciinema-player and ClusterView replays its recording.
import type { Browser, Page } from 'playwright-core'
import type { DeckServer } from '../../tools/static-server.ts'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deckBasePath } from '../../build/project.ts'
import { parseClusterRecording, stateAt } from '../../formats/cluster-events.ts'
import { launchChromium, watchProblems } from '../../tools/chromium.ts'
import { repoRoot } from '../../tools/deck.ts'
import { serveDeck } from '../../tools/static-server.ts'
import { builtDeck } from '../support/deck-builds.ts'
import { buildInDevMode, filesContaining, fixtureDeck } from './live-demo-support.ts'

/**
 * What only the dev-server side of live demos contains: its endpoint, its classes (the backstage page too), its client, xterm.js (by
 * its DOM class names). (A development-mode build still names CodeWithScript's empty LiveDemoControls
 * binding; the component itself, a chunk of its own, must not be there.)
 */
const TERMINAL_TRACES = ['__live-demo', 'kop-backstage', 'xterm-helper-textarea', 'xterm-screen', 'kop-live-run', 'kop-live-terminal', 'node-pty', 'connectLiveDemo', 'LiveTerminal']
/** The cluster recording the fixture's slide 5 plays */
const RECORDING = 'echo-demo/recordings/05-scale-echo-two-phones.simulated.cluster.jsonl'
const terminalChunks = (dir: string) => readdirSync(join(dir, 'assets')).filter(name => /LiveDemo|LiveTerminal|xterm/i.test(name))

let fixtureOut: string
let deckOut: string
let server: DeckServer
let browser: Browser

beforeAll(async () => {
  fixtureOut = mkdtempSync(join(tmpdir(), 'live-demo-build-'))
  // The fixture in development mode (Vitest's NODE_ENV=test carries over), the deck as npm run build makes it (shared by the browser tests).
  await buildInDevMode(fixtureDeck, fixtureOut)
  deckOut = await builtDeck()
  server = await serveDeck(fixtureOut, deckBasePath)
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** A page that records every problem a visitor would see: failed or foreign requests, errors. */
async function visit(hash: string, initScript?: () => void) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  if (initScript)
    await page.addInitScript(initScript)
  const problems = watchProblems(page, server.url)
  const requests: string[] = []
  page.on('request', request => requests.push(request.url()))
  await page.goto(`${server.url}#/${hash}`, { waitUntil: 'networkidle' })
  return { page, problems, requests }
}

/** One picture of a ClusterView: per phone, whether it is absent and its pods as "name:status". */
type Picture = Record<string, { absent: boolean, pods: string[] }>

/** Records every picture ClusterView shows, in order (a MutationObserver, so no moment is missed). */
function TIMELINE() {
  const pictures: string[] = []
  ;(window as unknown as { clusterTimeline: string[] }).clusterTimeline = pictures
  const snap = () => {
    const view = document.querySelector('.slidev-page-5 .kop-cluster')
    if (!view)
      return
    const picture = Object.fromEntries([...view.querySelectorAll('[data-node]')].map(phone => [phone.getAttribute('data-node'), {
      absent: phone.classList.contains('absent'),
      pods: [...phone.querySelectorAll('.kop-pod:not(.kop-pod-leave-active)')].map(pod => `${pod.getAttribute('data-pod')}:${pod.getAttribute('data-status')}`),
    }]))
    const text = JSON.stringify(picture)
    if (pictures.at(-1) !== text)
      pictures.push(text)
  }
  new MutationObserver(snap).observe(document, { subtree: true, childList: true, attributes: true })
}

function timeline(page: Page): Promise<Picture[]> {
  return page.evaluate(() => (window as unknown as { clusterTimeline: string[] }).clusterTimeline.map(text => JSON.parse(text)))
}

describe('the built deck', () => {
  it('contains no terminal endpoint and no terminal code (the real deck, and the fixture even in development mode)', () => {
    expect(filesContaining(deckOut, TERMINAL_TRACES)).toEqual([])
    expect(filesContaining(fixtureOut, TERMINAL_TRACES)).toEqual([])
    expect(terminalChunks(deckOut)).toEqual([])
    expect(terminalChunks(fixtureOut)).toEqual([])
    // …while the scan does see what is there: the code pill and the (lazily loaded) player
    expect(filesContaining(fixtureOut, ['kop-code-pill']).length).toBeGreaterThan(0)
    expect(filesContaining(fixtureOut, ['asciinema-player-theme-']).length).toBeGreaterThan(0)
  })

  it('has no run button on a script slide', async () => {
    const { page, problems } = await visit('2')
    await page.locator('.slidev-page-2 .kop-code-pill').waitFor()
    expect(await page.locator('.slidev-page-2 .kop-live').count()).toBe(0)
    const buttons = await page.locator('.slidev-page-2 button').allInnerTexts()
    expect(buttons.filter(text => /run|shell/i.test(text))).toEqual([]) // (Slidev's copy button may be there)
    expect(problems).toEqual([])
    await page.close()
  })

  it('plays a cast in the bundled player under the base path, loaded only when played', async () => {
    const { page, problems, requests } = await visit('4')
    const cast = page.locator('.slidev-page-4 .kop-cast')
    // Before playing: the recording's final screen as text, labelled as simulated
    await expect.poll(() => cast.locator('.kop-cast-final').innerText()).toContain('deployment "echo" successfully rolled out')
    expect(await cast.locator('.kop-cast-label').innerText()).toBe('simulated phone')
    expect(await page.locator('.ap-player').count()).toBe(0)
    const before = requests.length

    await cast.locator('.kop-cast-play').click()
    await page.locator('.slidev-page-4 .ap-player').waitFor({ timeout: 30_000 })
    expect(requests.slice(before).some(url => url.endsWith('.js')), 'the player is a chunk of its own').toBe(true)
    const screen = page.locator('.slidev-page-4 .ap-term')
    await expect.poll(() => screen.innerText(), { timeout: 30_000 }).toContain('deployment.apps/echo created')
    expect(await cast.getAttribute('data-state')).toBe('playing')
    await expect.poll(() => screen.innerText(), { timeout: 60_000 }).toContain('successfully rolled out')
    await expect.poll(() => cast.getAttribute('data-state'), { timeout: 30_000 }).toBe('ended')
    expect(problems).toEqual([])
    await page.close()
  })

  it('replays ClusterView\'s recording: the cluster as it was, a new pod, the cluster as it ended', async () => {
    // What the simulated recording says (npm run recordings), read from the file the slide plays
    const recording = parseClusterRecording(readFileSync(join(repoRoot, RECORDING), 'utf8'))
    const podsAt = (time: number, node: string) => [...stateAt(recording, time).pods.values()]
      .filter(pod => pod.namespace === 'default' && pod.node === node)
      .map(pod => `${pod.name}:${pod.status}`)
      .sort()
      .join()
    const expected = (time: number) => ({ a: podsAt(time, 'phone-a'), b: podsAt(time, 'phone-b') })
    const [begin, end] = [expected(0), expected(recording.duration)]
    expect(begin, 'the recording starts with pods and ends with others').not.toEqual(end)

    const { page, problems } = await visit('5', TIMELINE)
    const view = page.locator('.slidev-page-5 .kop-cluster[data-mode="replay"]')
    await view.waitFor()
    expect(await view.locator('.kop-cluster-foot').innerText()).toContain('simulated phone')
    const pods = (picture: Picture | undefined, node: string) => picture?.[node]?.pods.slice().sort().join() ?? ''
    const shows = (picture: Picture | undefined, want: { a: string, b: string }) => pods(picture, 'phone-a') === want.a && pods(picture, 'phone-b') === want.b
    await expect.poll(async () => shows((await timeline(page)).at(-1), end), { timeout: 60_000 }).toBe(true)
    const pictures = await timeline(page)
    const first = pictures.findIndex(picture => shows(picture, begin))
    expect(first, JSON.stringify(pictures)).toBeGreaterThanOrEqual(0)
    expect(first).toBeLessThan(pictures.length - 1)
    expect(problems).toEqual([])
    await page.close()
  })
})
