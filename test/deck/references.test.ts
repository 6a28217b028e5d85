// Everything the slides name must exist before anyone presents them: the scripts and regions CodeWithScript
// shows, the pictures (in img/, where logic/images.ts finds them), the recordings the phones and the cluster
// view replay, the pages slides.md imports (Slidev drops a missing page without a word), the favicon.
// test/support/slide-references.ts finds them; a way of naming a file it doesn't read fails here.
import type { ReferenceKind } from '../support/slide-references.ts'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveScriptSnippet } from '../../build/code-with-script.ts'
import { demoFolders } from '../../demos.ts'
import { repoRoot } from '../../tools/deck.ts'
import { slideReferences } from '../support/slide-references.ts'

const { references, unchecked, pages, mentions } = await slideReferences()
const KINDS: ReferenceKind[] = ['script', 'picture', 'cast', 'cluster', 'page', 'public']
const of = (...kinds: ReferenceKind[]) => references.filter(reference => kinds.includes(reference.kind))
/** it.each's cases: "slide N: path" and the reference. */
const cases = (...kinds: ReferenceKind[]) => of(...kinds).map(reference => [`slide ${reference.no}: ${reference.path}`, reference] as const)
const isFile = (path: string) => existsSync(join(repoRoot, path)) && statSync(join(repoRoot, path)).isFile()

describe('the files the slides name', () => {
  it.each(KINDS)('are found: some of kind %s', (kind) => {
    expect(of(kind).length).toBeGreaterThan(0)
  })

  it('are named only in ways this test reads (components\' props, `src:` imports)', () => {
    expect(unchecked).toEqual([])
  })
})

describe('CodeWithScript', () => {
  it.each(cases('script'))('%s and its region exist', (_, { attributes }) => {
    expect(() => resolveScriptSnippet(attributes, repoRoot)).not.toThrow()
  })
})

describe('the pictures', () => {
  it.each(cases('picture'))('%s is a picture in img/', (_, reference) => {
    const path = reference.path.replace(/^\.?\//, '')
    expect(path).toMatch(/^img\/[\w/-]+\.(?:png|jpe?g|svg|webp|gif)$/)
    expect(isFile(path), path).toBe(true)
  })
})

describe('the recordings', () => {
  it.each(cases('cast', 'cluster'))('%s is a file in a demo\'s recordings/', (_, { path }) => {
    expect(demoFolders('recordings')).toContain(dirname(path))
    expect(isFile(path), path).toBe(true)
  })
})

describe('the pages', () => {
  it.each(pages.map(({ from, path }) => [from, path]))('%s imports %s, which exists', (from, path) => {
    expect(isFile(join(dirname(from), path))).toBe(true)
  })

  it('are each imported once: no page of pages/ left out', () => {
    const imported = pages.map(({ from, path }) => join(dirname(from), path)).sort()
    const all = readdirSync(join(repoRoot, 'pages')).filter(file => file.endsWith('.md')).map(file => `pages/${file}`).sort()
    expect(imported).toEqual(all)
  })
})

describe('the favicon', () => {
  it.each(cases('public'))('%s is in public/', (_, { path }) => {
    expect(isFile(join('public', path))).toBe(true)
  })
})

describe('the scripts the slides\' text mentions', () => {
  const scripts = new Set(demoFolders('scripts').flatMap(folder => readdirSync(join(repoRoot, folder)).map(file => `${folder}/${file}`)))
  const names = new Set([...scripts].map(file => basename(file)))

  it.each(mentions.map(({ no, script }) => [`slide ${no}: ${script}`, script]))('%s exists', (_, script) => {
    const path = script.replace(/^\.\//, '')
    expect(path.includes('/') ? scripts.has(path) : names.has(path), path).toBe(true)
  })
})
