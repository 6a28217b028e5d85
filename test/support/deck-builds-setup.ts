// Vitest's global setup for the browser tests: a folder for this run's deck builds (deck-builds.ts), removed at the end.
import type { TestProject } from 'vitest/node'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'deck-builds-'))
  project.provide('deckBuilds', dir)
  return () => rmSync(dir, { recursive: true, force: true })
}
