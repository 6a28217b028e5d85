// Draws the icons of the installable deck (web app manifest, home screen) into public/pwa/:
// icon.svg, icon-192.png and icon-512.png (rounded, transparent corners), icon-maskable-512.png
// (full bleed, the drawing inside the middle 80 % that Android's masks keep) and apple-touch-icon.png
// (180 px, opaque). The PNGs are rendered from the SVG by the system Chromium; run it again after
// changing the drawing:   node scripts/pwa-icons.ts
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { launchChromium } from '../tools/chromium.ts'

const outDir = join(import.meta.dirname, '../public/pwa')

/** A phone (dark frame, light screen) with a helm wheel on it, on the deck's orange. */
export function iconSvg({ rounded }: { rounded: boolean }): string {
  const spokes = Array.from({ length: 7 }, (_, i) => {
    const angle = (i * 2 * Math.PI) / 7 - Math.PI / 2
    const point = (r: number) => `${(256 + r * Math.cos(angle)).toFixed(1)} ${(256 + r * Math.sin(angle)).toFixed(1)}`
    return `<path d="M${point(30)}L${point(66)}"/>`
  }).join('')
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">',
    `<rect width="512" height="512" ${rounded ? 'rx="112" ' : ''}fill="#ea7a1e"/>`,
    '<rect x="166" y="86" width="180" height="340" rx="34" fill="#1f2328"/>',
    '<rect x="182" y="118" width="148" height="276" rx="14" fill="#fff7ed"/>',
    '<g fill="none" stroke="#ea7a1e" stroke-width="14" stroke-linecap="round">',
    '<circle cx="256" cy="256" r="46"/>',
    spokes,
    '</g>',
    '<circle cx="256" cy="256" r="12" fill="#1f2328"/>',
    '</svg>',
    '',
  ].join('\n')
}

export const icons = [
  { file: 'icon-192.png', size: 192, rounded: true },
  { file: 'icon-512.png', size: 512, rounded: true },
  { file: 'icon-maskable-512.png', size: 512, rounded: false },
  { file: 'apple-touch-icon.png', size: 180, rounded: false },
] as const

async function main() {
  mkdirSync(outDir, { recursive: true })
  writeFileSync(join(outDir, 'icon.svg'), iconSvg({ rounded: true }))
  const browser = await launchChromium()
  try {
    for (const icon of icons) {
      const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } })
      const svg = iconSvg({ rounded: icon.rounded }).replace('<svg ', `<svg width="${icon.size}" height="${icon.size}" `)
      await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`)
      await page.locator('svg').screenshot({ path: join(outDir, icon.file), omitBackground: icon.rounded })
      await page.close()
      console.log(`public/pwa/${icon.file} (${icon.size}×${icon.size})`)
    }
  }
  finally {
    await browser.close()
  }
}

if (import.meta.main)
  await main()
