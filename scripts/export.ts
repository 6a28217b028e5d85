// Exports the deck to PDF (one page per slide) with `slidev export`, in the system's Chromium when there is
// one (CHROMIUM_PATH or /usr/bin/chromium), else in Playwright's own browser (`npx playwright-core install chromium`).
// Usage: npm run export [-- SLIDEV_EXPORT_OPTIONS…]   e.g. npm run export -- --output talk.pdf
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'

const repoRoot = join(import.meta.dirname, '..')
const systemChromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .find(path => path && existsSync(path))
const options = process.argv.slice(2)
// `slidev export` serves the deck from a Vite dev server, which compiles every slide on the first page's load: on
// a busy laptop that takes longer than the 30 s Slidev allows a page by default, and the export fails half-way.
const timeout = options.some(option => option.startsWith('--timeout')) ? [] : ['--timeout', '180000']
const args = ['export', ...(systemChromium ? ['--executable-path', systemChromium] : []), ...timeout, ...options]

console.log(`slidev ${args.join(' ')}`)
const { status } = spawnSync(join(repoRoot, 'node_modules/.bin/slidev'), args, { cwd: repoRoot, stdio: 'inherit' })
process.exit(status ?? 1)
