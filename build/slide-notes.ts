// The speaker notes out of the first slide's path. Slidev puts every slide's rendered notes (noteHTML) into the
// slide list every page loads first: in this deck over half of it (13 KiB gzip), and slide 1 needs none of it.
// In a build without the presenter, where only the reading view shows notes, this plugin takes noteHTML out of
// each slide's frontmatter module and serves it as `virtual:slide-notes`, which only the reading view imports;
// and the frontmatter's YAML source (frontmatterRaw), which only the dev server's side editor reads.
// In the dev server and the PDF export the slide list stays as Slidev writes it (and updates live):
// `virtual:slide-notes` is then null.
import type { Plugin } from 'vite'

const virtualId = 'virtual:slide-notes'
/** Slidev's `/@slidev/slides/N/frontmatter` re-exports this module: slide N's frontmatter and data */
const frontmatterSource = /__slidev_(\d+)\.frontmatter$/
/** The line of Slidev's frontmatter module that spreads the slide's data, noteHTML in it, as JSON. */
const slideData = /^(\s*\.\.\.\()(\{.*\})(\),)$/m

export function slideNotes(options: { slides: number, strip: boolean }): Plugin {
  const notes = new Map<number, string>()
  return {
    name: 'kop:slide-notes',
    resolveId: id => (id === virtualId ? `\0${virtualId}` : undefined),
    transform(code, id) {
      const slide = options.strip ? frontmatterSource.exec(id) : null
      if (!slide)
        return
      const found = slideData.exec(code)
      if (!found)
        this.error(`${id}: no slide data line; Slidev's frontmatter module has changed`)
      const data = JSON.parse(found[2]) as { noteHTML?: string, frontmatterRaw?: string }
      notes.set(Number(slide[1]), data.noteHTML ?? '')
      const line = `${found[1]}${JSON.stringify({ ...data, noteHTML: '', frontmatterRaw: '' })}${found[3]}`
      return { code: code.replace(found[0], () => line), map: null }
    },
    async load(id) {
      if (id !== `\0${virtualId}`)
        return
      if (!options.strip)
        return 'export const notesHTML = null\n'
      // Every slide's frontmatter module transformed (above) before the notes are written out.
      await Promise.all(Array.from({ length: options.slides }, async (_, i) => {
        const { importedIds } = await this.load({ id: `/@slidev/slides/${i + 1}/frontmatter` })
        await Promise.all(importedIds.map(source => this.load({ id: source })))
      }))
      if (notes.size !== options.slides)
        this.error(`notes of ${notes.size} slides found, the deck has ${options.slides}`)
      return `export const notesHTML = ${JSON.stringify(Object.fromEntries(notes))}\n`
    },
  }
}
