import type { Plugin } from 'vite'
import { beforeEach, describe, expect, it } from 'vitest'
import { slideNotes } from '../../build/slide-notes.ts'

// build/slide-notes.ts: the speaker notes out of Slidev's slide list in the built deck, into virtual:slide-notes.

/** Slide `no`'s frontmatter module as Slidev 53 writes it in a build (node/vite/loaders.ts), shortened. */
function frontmatterModule(no: number, noteHTML: string, frontmatterRaw = 'layout: center\n'): string {
  return [
    'export const frontmatter = reactive(frontmatterData)',
    'export const meta = shallowReactive({',
    '  slide: {',
    `    ...(${JSON.stringify({ title: `Slide ${no}`, frontmatterRaw, noteHTML, index: no - 1 })}),`,
    '    frontmatter,',
    `    no: ${no},`,
    '  },',
    '})',
  ].join('\n')
}

const sourceId = (no: number) => `/deck/slides.md__slidev_${no}.frontmatter`

/** The hooks with a context like Rollup's: `load` of slide N's virtual module yields its source module. */
function hooks(plugin: Plugin, transformed: Map<string, string>) {
  const context = {
    error: (message: string) => {
      throw new Error(message)
    },
    load: async ({ id }: { id: string }) => {
      const no = Number(/slides\/(\d+)\//.exec(id)?.[1])
      return { importedIds: no ? [sourceId(no)] : [] }
    },
  }
  const transform = (code: string, id: string) => (plugin.transform as (this: unknown, code: string, id: string) => { code: string } | undefined).call(context, code, id)
  const load = (id: string) => (plugin.load as (this: unknown, id: string) => Promise<string | undefined>).call(context, id)
  const resolveId = (id: string) => (plugin.resolveId as (id: string) => string | undefined)(id)
  return { transform: (code: string, id: string) => {
    const result = transform(code, id)
    if (result)
      transformed.set(id, result.code)
    return result
  }, load, resolveId }
}

describe('the speaker notes in a build without the presenter', () => {
  let transformed: Map<string, string>
  let plugin: ReturnType<typeof hooks>

  beforeEach(() => {
    transformed = new Map()
    plugin = hooks(slideNotes({ slides: 2, strip: true }), transformed)
  })

  it('leave each slide\'s frontmatter module with its YAML source, the rest of its data as it was', () => {
    plugin.transform(frontmatterModule(1, '<p>Hold up both phones</p>'), sourceId(1))
    const code = transformed.get(sourceId(1))!
    expect(code).not.toContain('Hold up both phones')
    expect(code).toBe(frontmatterModule(1, '', ''))
  })

  it('are served by virtual:slide-notes, by slide number', async () => {
    plugin.transform(frontmatterModule(1, '<p>One</p>'), sourceId(1))
    plugin.transform(frontmatterModule(2, ''), sourceId(2))
    const id = plugin.resolveId('virtual:slide-notes')!
    expect(await plugin.load(id)).toBe(`export const notesHTML = ${JSON.stringify({ 1: '<p>One</p>', 2: '' })}\n`)
  })

  it('stop the build when a slide\'s notes were not found (Slidev changed how it writes the module)', async () => {
    expect(() => plugin.transform('export const meta = {}', sourceId(1))).toThrow(/no slide data line/)
    plugin.transform(frontmatterModule(1, ''), sourceId(1))
    await expect(plugin.load(plugin.resolveId('virtual:slide-notes')!)).rejects.toThrow(/notes of 1 slides found, the deck has 2/)
  })

  it('leave every other module alone', () => {
    expect(plugin.transform('export const x = 1', '/deck/components/QrCode.vue')).toBeUndefined()
  })
})

describe('the speaker notes in the dev server and the PDF export', () => {
  it('stay in the slide list; virtual:slide-notes is null', async () => {
    const plugin = hooks(slideNotes({ slides: 1, strip: false }), new Map())
    expect(plugin.transform(frontmatterModule(1, '<p>One</p>'), sourceId(1))).toBeUndefined()
    expect(await plugin.load(plugin.resolveId('virtual:slide-notes')!)).toBe('export const notesHTML = null\n')
  })
})
