import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import process from 'node:process'
import { promisify } from 'node:util'
import { load } from '@slidev/parser/fs'

export const repoRoot = resolve(import.meta.dirname, '..')
const slidev = join(repoRoot, 'node_modules/.bin/slidev')

/** The deck's slides as Slidev parses them (src: imports resolved), without hidden ones. */
export async function deckSlides() {
  const data = await load({ roots: [repoRoot], userRoot: repoRoot }, join(repoRoot, 'slides.md'))
  return data.slides.filter(slide => !slide.frontmatter.hide && !slide.frontmatter.disabled)
}

/** Runs `slidev build` into a fresh temporary folder and returns it; `env` adds to the environment (CHAT_PUBLIC_URL…). */
export async function buildDeck(args: string[] = [], extraEnv: Record<string, string> = {}): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'deck-'))
  // A production build, as `npm run build` makes it: Vitest's NODE_ENV=test would otherwise carry over.
  const env = { ...process.env, ...extraEnv, NODE_ENV: 'production' }
  await promisify(execFile)(slidev, ['build', '--out', out, ...args], { cwd: repoRoot, env, maxBuffer: 64 * 1024 * 1024 })
  return out
}
