// Helpers for the live-demo browser tests: the fixture deck, its dev server and its build.
import type { ChildProcess } from 'node:child_process'
import { execFile, spawn } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { repoRoot } from '../../tools/deck.ts'
import { freePort } from '../../tools/free-port.ts'

/** A small deck with the real components and a harmless script (see its slides.md and vite.config.ts). */
export const fixtureDeck = join(repoRoot, 'test/browser/fixtures/live-demo/slides.md')
export const slidevBin = join(repoRoot, 'node_modules/.bin/slidev')

export interface DevServer {
  url: string
  log: () => string
  stop: () => Promise<void>
}

/** `slidev ENTRY --port PORT` (Slidev binds it to localhost), ready when it answers; `env` adds to its environment. */
export async function startDevServer(entry = fixtureDeck, args: string[] = [], env: Record<string, string> = {}): Promise<DevServer> {
  const port = await freePort()
  const child: ChildProcess = spawn(slidevBin, [entry, '--port', String(port), ...args], {
    cwd: repoRoot,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  })
  let output = ''
  child.stdout!.on('data', (chunk) => {
    output += chunk
  })
  child.stderr!.on('data', (chunk) => {
    output += chunk
  })
  const url = `http://localhost:${port}/`
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`slidev exited (${child.exitCode}):\n${output}`)
    const ok = await fetch(url).then(response => response.ok, () => false)
    if (ok)
      break
    if (Date.now() > deadline)
      throw new Error(`slidev did not answer at ${url}:\n${output}`)
    await new Promise(resolve => setTimeout(resolve, 250))
  }
  return {
    url,
    log: () => output,
    stop: async () => {
      if (child.exitCode !== null)
        return
      const exited = new Promise(resolve => child.once('exit', resolve))
      process.kill(-child.pid!, 'SIGTERM')
      await exited
    },
  }
}

/**
 * `slidev build` of `entry` into `out` in a development-mode build (import.meta.env.DEV true): it keeps this
 * process's environment, where Vitest has set NODE_ENV=test, and Vite keeps an inherited NODE_ENV. (The
 * production build, as `npm run build` makes it, is tools/deck.ts's buildDeck().)
 */
export async function buildInDevMode(entry: string, out: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    execFile(slidevBin, ['build', entry, '--out', out], { cwd: repoRoot, env: process.env, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) =>
      error ? reject(new Error(`slidev build failed: ${error.message}\n${stderr}`)) : resolve())
  })
}

/** Every file of a built deck whose text contains one of `needles`, with the needle found. */
export function filesContaining(dir: string, needles: string[]): string[] {
  const found: string[] = []
  const visit = (path: string) => {
    for (const name of readdirSync(path)) {
      const file = join(path, name)
      if (statSync(file).isDirectory()) {
        visit(file)
        continue
      }
      const text = readFileSync(file, 'latin1')
      for (const needle of needles) {
        if (text.includes(needle))
          found.push(`${file.slice(dir.length + 1)}: ${needle}`)
      }
    }
  }
  visit(dir)
  return found
}

/** Alive and not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  }
  catch {
    return false
  }
}
