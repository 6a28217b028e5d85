// Live demos on a phone, in a real `slidev` dev server and Chromium: the fixture's slide 6 names
// runOn="phone-a", and ▶ run executes the script over ssh — against a REAL sshd on a loopback address
// (test/support/sshd.ts) — in the phone's clone, with a terminal that says which phone. The backstage
// page (#/backstage) runs the pre-flight check on every phone and shows them side by side.
import type { Browser, Page } from 'playwright-core'
import type { PhoneSetup } from '../../live-demo/node/phones.ts'
import type { TestSshd } from '../support/sshd.ts'
import type { DevServer } from './live-demo-support.ts'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../../tools/chromium.ts'
import { startSshd } from '../support/sshd.ts'
import { startDevServer } from './live-demo-support.ts'

const clone = mkdtempSync(join(tmpdir(), 'live-phone-clone-'))
function script(name: string, body: string) {
  mkdirSync(join(clone, 'scripts'), { recursive: true })
  writeFileSync(join(clone, 'scripts', name), `#!/usr/bin/env bash\n${body}\n`)
  chmodSync(join(clone, 'scripts', name), 0o755)
}
script('hello.sh', 'echo "hello from the phone\'s clone, in $(basename "$PWD")"\nread -r -p "type something: " line\necho "you typed: $line"')
script('check-phone.sh', 'echo " ✓  k3s is running"\necho " ✓  the tailnet reaches: $*"\nexit 0')

let sshd: TestSshd
let server: DevServer
let browser: Browser
const errors: string[] = []

beforeAll(async () => {
  sshd = await startSshd('127.0.0.3')
  const phones: PhoneSetup = {
    clone,
    checkScript: 'scripts/check-phone.sh',
    phones: { 'phone-a': { user: sshd.user, host: 'phone-a' }, 'phone-off': { user: sshd.user, host: 'phone-off' } },
  }
  process.env.LIVE_DEMO_TEST_PHONES = JSON.stringify(phones)
  process.env.LIVE_DEMO_TEST_SSH_CONFIG = sshd.configFile
  try {
    server = await startDevServer()
  }
  finally {
    delete process.env.LIVE_DEMO_TEST_PHONES
    delete process.env.LIVE_DEMO_TEST_SSH_CONFIG
  }
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await sshd?.stop()
  rmSync(clone, { recursive: true, force: true })
})

async function open(hash: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } })
  page.on('pageerror', error => errors.push(`${hash}: ${error.message}`))
  page.on('console', message => void (message.type() === 'error' && errors.push(`${hash}: ${message.text()}`)))
  // The first page of a cold dev server waits for Vite to compile the deck: that can take a while on a busy machine.
  await page.goto(`${server.url}#/${hash}`, { waitUntil: 'domcontentloaded', timeout: 180_000 })
  return page
}

describe('a slide that runs its script on a phone', () => {
  it('runs it over ssh in the phone\'s clone, and the terminal says which phone', async () => {
    const page = await open('6')
    const run = page.locator('.slidev-page-6 .kop-live-run')
    await run.waitFor({ timeout: 180_000 })
    expect(await run.innerText()).toContain('run on phone-a')
    await run.click()
    const terminal = page.locator('.slidev-page-6 .kop-live-terminal')
    await expect.poll(() => terminal.locator('.xterm-rows').innerText(), { timeout: 30_000 }).toMatch(/hello from the phone's clone, in live-phone-clone-[\s\S]*type something:/)
    expect(await terminal.getAttribute('data-where')).toBe('phone-a')
    expect(await terminal.locator('.kop-live-terminal-state').innerText()).toBe('live on phone-a')
    await terminal.locator('.xterm').click()
    await page.keyboard.type('it\'s $(not run)')
    await page.keyboard.press('Enter')
    await expect.poll(() => terminal.locator('.xterm-rows').innerText(), { timeout: 30_000 }).toContain('you typed: it\'s $(not run)')
    await expect.poll(() => terminal.getAttribute('data-status'), { timeout: 15_000 }).toBe('exited')
    await terminal.locator('.kop-live-terminal-close').click()
    await page.close()
  })
})

describe('the backstage page', () => {
  it('checks every phone and shows them side by side: ready, or why not', async () => {
    const page = await open('backstage')
    const phoneA = page.locator('.kop-backstage-phone[data-phone="phone-a"]')
    const phoneOff = page.locator('.kop-backstage-phone[data-phone="phone-off"]')
    await expect.poll(() => phoneA.getAttribute('data-state'), { timeout: 120_000 }).toBe('ready')
    await expect.poll(() => phoneOff.getAttribute('data-state'), { timeout: 30_000 }).toBe('unreachable')
    expect(await phoneA.locator('.kop-backstage-output').innerText()).toContain('✓  the tailnet reaches: --peer phone-off')
    expect(await phoneOff.locator('.kop-backstage-problem').innerText()).toMatch(/nothing listens for ssh/)
    const [a, off] = [await phoneA.boundingBox(), await phoneOff.boundingBox()]
    expect(Math.abs(a!.y - off!.y), 'side by side').toBeLessThan(2)
    expect(a!.x).toBeLessThan(off!.x)
    await page.screenshot({ path: join(tmpdir(), 'backstage.png') })
    await page.close()
  })

  it('had no page or console errors', () => {
    expect(errors).toEqual([])
  })
})
