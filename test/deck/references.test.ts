import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { regionLines, resolveScriptSnippet } from '../../build/code-with-script.ts'
import { deckSlides, repoRoot } from '../../tools/deck.ts'

// Everything the slides point at must exist before anyone presents them: scripts and their regions,
// snippet imports, and pictures (which must live in img/, where logic/images.ts finds them).

const slides = await deckSlides()
const everySlide = slides.map(slide => ({ no: slide.index + 1, text: `${slide.source.raw}\n${JSON.stringify(slide.frontmatter)}` }))

function matches(pattern: RegExp) {
  return everySlide.flatMap(({ no, text }) => [...text.matchAll(pattern)].map(match => ({ no, match })))
}

/** Image paths: img="…", :img="[…]", image:/background: frontmatter, markdown images and src="./img/…". */
function imageReferences() {
  const found: { no: number, path: string }[] = []
  for (const { no, match } of matches(/(?<!:)\bimg="([^"]+)"/g)) found.push({ no, path: match[1] })
  for (const { no, match } of matches(/:img="\[([^\]]*)\]"/g)) {
    for (const [, path] of match[1].matchAll(/'([^']+)'/g)) found.push({ no, path })
  }
  for (const { no, match } of matches(/"(?:image|background)":"([^"]+)"/g)) found.push({ no, path: match[1] })
  for (const { no, match } of matches(/!\[[^\]]*\]\(([^)\s]+)/g)) found.push({ no, path: match[1] })
  for (const { no, match } of matches(/\bsrc="(\.?\/?img\/[^"]+)"/g)) found.push({ no, path: match[1] })
  return found
}

describe('what slides.md refers to', () => {
  it('has slides', () => {
    expect(slides.length).toBeGreaterThan(1)
  })

  it('names existing scripts and regions in every CodeWithScript', () => {
    const tags = matches(/<CodeWithScript\b([^>]*)>/g)
    expect(tags.length).toBeGreaterThan(0)
    for (const { no, match } of tags) {
      const attributes = Object.fromEntries([...match[1].matchAll(/([\w:-]+)="([^"]*)"/g)].map(([, k, v]) => [k, v]))
      expect(() => resolveScriptSnippet(attributes, repoRoot), `slide ${no}`).not.toThrow()
    }
  })

  it('imports only existing files and regions with <<<', () => {
    for (const { no, match } of matches(/^<<<\s*@\/(\S+?)(?:#([\w-]+))?(?:\s|$)/gm)) {
      const file = join(repoRoot, match[1])
      expect(existsSync(file), `slide ${no}: ${match[1]}`).toBe(true)
      if (match[2])
        expect(regionLines(readFileSync(file, 'utf8'), match[2]), `slide ${no}: ${match[1]}#${match[2]}`).toBeDefined()
    }
  })

  it('shows only pictures that exist in img/', () => {
    for (const { no, path } of imageReferences()) {
      const normalized = path.replace(/^\.?\//, '')
      expect(normalized, `slide ${no}: pictures live in img/`).toMatch(/^img\//)
      expect(existsSync(join(repoRoot, normalized)), `slide ${no}: ${path}`).toBe(true)
    }
  })

  it('links to nothing on another host for a picture', () => {
    expect(matches(/(?:img|src|image|background)"?\s*[:=]\s*"(https?:[^"]+)"/g).map(({ no, match }) => `slide ${no}: ${match[1]}`)).toEqual([])
  })
})
