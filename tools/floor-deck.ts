// The floor the deck's first slide is measured against: three plain slides with slides.md's headmatter (read at
// run time, so it cannot drift), the same packages (the project's node_modules) and public/ (the favicon the
// headmatter names), built with the deck's base path — but none of the deck's own code: no setup/, components,
// styles or vite.config.ts. What the deck's first slide fetches beyond it is the deck's doing.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deckBasePath } from '../build/project.ts'
import { buildDeck, repoRoot } from './deck.ts'

/** slides.md's headmatter, the YAML between its first two `---` lines, as written. */
export function headmatter(slidesMd: string): string {
  const found = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(slidesMd)
  if (!found)
    throw new Error('slides.md has no headmatter')
  return found[1]
}

/** The floor deck's slides.md: the deck's headmatter and three slides of plain text. */
export function floorSlides(deckHeadmatter: string): string {
  return [
    `---\n${deckHeadmatter}\n---\n`,
    '# A plain slide\n\nThe floor the deck is measured against\n',
    '---\n\n# Two\n\nA second plain slide\n',
    '---\n\n# Three\n\nA third plain slide\n',
  ].join('\n')
}

/** Writes the floor deck into a fresh temporary folder, builds it under the deck's base path, returns the built site. */
export async function buildFloorDeck(): Promise<string> {
  const source = mkdtempSync(join(tmpdir(), 'floor-deck-'))
  writeFileSync(join(source, 'slides.md'), floorSlides(headmatter(readFileSync(join(repoRoot, 'slides.md'), 'utf8'))))
  // Outside the project, Slidev and its theme resolve from the project's own packages through these links.
  symlinkSync(join(repoRoot, 'node_modules'), join(source, 'node_modules'), 'dir')
  symlinkSync(join(repoRoot, 'public'), join(source, 'public'), 'dir')
  // The headmatter's addons (`@/live-demo`) resolve from the deck's folder.
  symlinkSync(join(repoRoot, 'live-demo'), join(source, 'live-demo'), 'dir')
  writeFileSync(join(source, 'package.json'), `${JSON.stringify({ name: 'floor-deck', private: true, type: 'module' })}\n`)
  try {
    return await buildDeck([join(source, 'slides.md'), '--base', deckBasePath])
  }
  finally {
    rmSync(source, { recursive: true, force: true })
  }
}
