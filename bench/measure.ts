// The bench's own measurements, beyond what it shares with the tests (tools/measure.ts): the dev server from a
// cold and a warm start, and the PDF export.
import type { Buffer } from 'node:buffer'
import type { Browser } from 'playwright-core'
import { spawn } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { repoRoot } from '../tools/deck.ts'

/** Runs a program to its end; rejects with its output when it fails. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv, quiet?: boolean } = {}): Promise<{ ms: number, output: string }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: repoRoot, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk
      if (!options.quiet)
        process.stderr.write(chunk)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - started
      if (code === 0)
        resolvePromise({ ms, output })
      else
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${output.slice(-4000)}`))
    })
  })
}

/** Starts a process and resolves once `ready` matches its output; the caller stops it. */
function startProcess(command: string, args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const started = new Promise<void>((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      if (ready.test(output))
        resolvePromise()
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', code => reject(new Error(`${command} exited with ${code} before it was ready:\n${output.slice(-3000)}`)))
  })
  const stop = () => new Promise<void>((resolvePromise) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolvePromise()
    child.once('exit', () => resolvePromise())
    child.kill('SIGTERM')
  })
  return { child, started, stop }
}

/**
 * The dev server from its start to the first slide rendered in Chromium (no throttling), with Vite's
 * dependency cache in `cacheDir`: an empty folder makes it a cold start (nothing pre-bundled, nothing cached);
 * the same folder again, a warm one. tools/dev-server.ts runs Slidev with that cache, so the shared
 * node_modules/.vite of other running dev servers is left alone.
 */
export async function devServerStart(browser: Browser, port: number, cacheDir: string): Promise<{ ms: number }> {
  const started = performance.now()
  const server = startProcess(process.execPath, [join(repoRoot, 'tools/dev-server.ts'), String(port), cacheDir], /listening on/)
  try {
    await server.started
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${port}/`, { timeout: 300_000 })
    await page.waitForSelector('.slidev-page-1 .slidev-layout', { timeout: 300_000 })
    const ms = performance.now() - started
    await page.close()
    return { ms }
  }
  finally {
    await server.stop()
  }
}

/**
 * `npm run export` (scripts/export.ts) into `output`, timed; its size and page count. Slidev gives the print page
 * 30 s to load by default, too little for a dev server's first compile on a busy machine: here 5 minutes.
 */
export async function exportPdf(output: string): Promise<{ ms: number, bytes: number, pages: number }> {
  const { ms } = await run(process.execPath, [join(repoRoot, 'scripts/export.ts'), '--output', output, '--timeout', '300000'], { quiet: true })
  const { PDFDocument } = await import('pdf-lib')
  const pdf = await PDFDocument.load(readFileSync(output), { updateMetadata: false })
  return { ms, bytes: statSync(output).size, pages: pdf.getPageCount() }
}
