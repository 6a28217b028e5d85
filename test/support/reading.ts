import type { Page } from 'playwright-core'

/** The reading view's section of slide `no`. */
export const readingSection = (no: number) => `.kop-reading-section[data-no="${no}"]`

/** Waits until slide `no`'s section starts right under the reading view's bar, and stays there for two frames. */
export async function heldAtTop(page: Page, no: number) {
  await page.waitForFunction(async (target) => {
    const frames = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))
    const section = document.querySelector(target)
    const bar = document.querySelector('.kop-reading-bar')
    if (!section || !bar) // not drawn yet
      return false
    const offset = () => section.getBoundingClientRect().top - bar.getBoundingClientRect().bottom
    const before = offset()
    await frames()
    return Math.abs(before) <= 2 && Math.abs(offset()) <= 2
  }, readingSection(no), { polling: 200, timeout: 60_000 })
}
