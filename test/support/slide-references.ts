// The files the deck's slides name, as the deck names them: the components' file props (CodeWithScript's
// script, SlideImage's and the phones' pictures, the players' recordings; the phone-right layout's `img` and `cast`), the pages slides.md imports
// with `src:`, and the headmatter's favicon. Any other way a slide loads a file (a markdown image, a `<<<`
// import, an <img src>, a frontmatter picture other than a layout's) is listed apart (`unchecked`), so that a new way of naming a
// file fails the references test instead of slipping past it. And the scripts the slides' text mentions.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { deckSlides, repoRoot } from '../../tools/deck.ts'

export type ReferenceKind = 'script' | 'picture' | 'cast' | 'cluster' | 'page' | 'public'

export interface Reference {
  /** The slide's number as the deck shows it (1 = the title), or 0 for slides.md's own page imports */
  no: number
  kind: ReferenceKind
  /** The path as the slide writes it */
  path: string
  /** The other attributes of the tag (CodeWithScript's region …) */
  attributes: Record<string, string>
}

/** Which prop of which component names which kind of file. */
export const FILE_PROPS: Record<string, Record<string, ReferenceKind>> = {
  CodeWithScript: { scriptPath: 'script' },
  SlideImage: { img: 'picture' },
  PhoneScreen: { img: 'picture' },
  PhoneTwoColumn: { img: 'picture', cast: 'cast' },
  CastPlayer: { src: 'cast' },
  ClusterView: { recording: 'cluster' },
}

/** Which frontmatter key of which layout names which kind of file (`layout: phone-right` with `cast:`). */
export const LAYOUT_PROPS: Record<string, Record<string, ReferenceKind>> = {
  'phone-right': { img: 'picture', cast: 'cast' },
}

/** A file of this repository's kinds, named by a path (not a web address). */
const isFileName = (value: string) => /^[\w./@-]+\.(?:svg|png|jpe?g|webp|gif|cast|jsonl|sh|ya?ml|ts|js|vue|md|json|conf)$/.test(value)
const TAG = /<([A-Z][\w-]*)\b((?:[^>"]|"[^"]*")*)>/gi
const ATTRIBUTE = /(:?[\w-]+)\s*=\s*"([^"]*)"/g

/** The strings of an attribute: one plain value, or every quoted string of a bound one (:img="['a', 'b']"). */
function valuesOf(name: string, value: string): string[] {
  return name.startsWith(':') ? [...value.matchAll(/'([^']*)'/g)].map(m => m[1]!) : [value]
}

/** `src:` page imports of slides.md and of the pages themselves, relative to the file that imports them. */
function pageImports(): { from: string, path: string }[] {
  const files = ['slides.md', ...readdirSync(join(repoRoot, 'pages')).filter(file => file.endsWith('.md')).map(file => `pages/${file}`)]
  return files.flatMap(from => [...readFileSync(join(repoRoot, from), 'utf8').matchAll(/^src:\s*(\S+)\s*$/gm)].map(m => ({ from, path: m[1]! })))
}

/** A script the slide's text (not a component's prop) names, e.g. `04-check-llm.sh` or `./echo-demo/scripts/04c-curl-nodename.sh`. */
export interface Mention {
  no: number
  script: string
}

export interface SlideReferences {
  references: Reference[]
  /** Files a slide loads in a way no rule above reads (a markdown image, `<<<`, <img src>…), as "slide N: …" */
  unchecked: string[]
  /** Each page import, with the file it is in */
  pages: { from: string, path: string }[]
  mentions: Mention[]
}

export async function slideReferences(): Promise<SlideReferences> {
  const references: Reference[] = []
  const unchecked: string[] = []
  const mentions: Mention[] = []
  for (const slide of await deckSlides()) {
    const no = slide.index + 1
    // The slide's markdown without its frontmatter (below) and its speaker notes (words, not files it loads).
    const markdown = slide.source.content
    let text = markdown
    for (const [tag, name, attributeText] of markdown.matchAll(TAG)) {
      const props = FILE_PROPS[name!] ?? {}
      if (FILE_PROPS[name!])
        text = text.replace(tag, '')
      const attributes = Object.fromEntries([...attributeText!.matchAll(ATTRIBUTE)].map(([, key, value]) => [key!, value!]))
      for (const [key, value] of Object.entries(attributes)) {
        const kind = props[key.replace(/^:/, '')]
        if (kind)
          references.push(...valuesOf(key, value).map(path => ({ no, kind, path, attributes })))
        else
          unchecked.push(...valuesOf(key, value).filter(isFileName).map(path => `slide ${no}: <${name} ${key}="${path}">`))
      }
    }
    for (const [, path] of markdown.matchAll(/^<<<\s*(\S+)/gm))
      unchecked.push(`slide ${no}: <<< ${path}`)
    for (const [, path] of markdown.matchAll(/\]\(([^)\s]+)/g))
      unchecked.push(...(isFileName(path!) ? [`slide ${no}: (${path})`] : []))
    const { src: _page, favicon, ...frontmatter } = slide.frontmatter
    if (typeof favicon === 'string')
      references.push({ no, kind: 'public', path: favicon, attributes: {} })
    for (const [key, kind] of Object.entries(LAYOUT_PROPS[String(frontmatter.layout)] ?? {})) {
      const value = frontmatter[key]
      references.push(...[value].flat().filter((path): path is string => typeof path === 'string').map(path => ({ no, kind, path, attributes: {} })))
      delete frontmatter[key]
    }
    unchecked.push(...JSON.stringify(frontmatter).split('"').filter(isFileName).map(path => `slide ${no} (frontmatter): ${path}`))
    mentions.push(...[...text.matchAll(/[\w./-]*\b[\w-]+\.sh\b/g)].map(m => ({ no, script: m[0] })))
  }
  const pages = pageImports()
  references.push(...pages.map(({ path }) => ({ no: 0, kind: 'page' as const, path, attributes: {} })))
  return { references, unchecked, pages, mentions }
}
