import type { Browser, Page } from 'playwright-core'
import { existsSync } from 'node:fs'
import process from 'node:process'
import { chromium } from 'playwright-core'

/** Debian's Chromium, which .ci/run installs; Playwright must not download a browser of its own. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Starts the system Chromium headless, with no network of its own beyond the pages it is sent to. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`No Chromium at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`)
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-quic', '--no-first-run'],
  })
}

/**
 * Collects everything a visitor of the deck at `deckUrl` would suffer: requests outside the deck (another
 * host, or another path on its host), failed requests, HTTP errors, console errors and page errors.
 */
export function watchProblems(page: Page, deckUrl: string): string[] {
  const problems: string[] = []
  const deck = new URL(deckUrl)
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (!['data:', 'blob:'].includes(url.protocol) && (url.origin !== deck.origin || !url.pathname.startsWith(deck.pathname)))
      problems.push(`request outside the deck: ${request.url()}`)
  })
  page.on('requestfailed', request => problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`))
  page.on('response', (response) => {
    if (response.status() >= 400)
      problems.push(`HTTP ${response.status()}: ${response.url()}`)
  })
  page.on('console', (message) => {
    if (message.type() === 'error')
      problems.push(`console error: ${message.text()}`)
  })
  page.on('pageerror', error => problems.push(`page error: ${error.message}`))
  return problems
}
