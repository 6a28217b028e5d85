// The production builds of the deck the browser tests share: each variant (slidev build's arguments and
// environment: base path, CHAT_PUBLIC_URL…) is built once per test run, by the first test file that asks
// for it, into the run's folder that the global setup (deck-builds-setup.ts) provides and removes.
import { createHash } from 'node:crypto'
import { existsSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { inject } from 'vitest'
import { buildDeck } from '../../tools/deck.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    deckBuilds: string
  }
}

/** The built deck for these `slidev build` arguments and environment (as tools/deck.ts's buildDeck() makes it). */
export async function builtDeck(args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const key = createHash('sha256').update(JSON.stringify([args, Object.entries(env).sort()])).digest('hex').slice(0, 16)
  const dir = join(inject('deckBuilds'), key)
  if (existsSync(dir))
    return dir
  const out = await buildDeck(args, env)
  try {
    renameSync(out, dir)
  }
  catch {
    rmSync(out, { recursive: true, force: true }) // another test file built it meanwhile
  }
  return dir
}
