import { existsSync, readFileSync, statSync } from 'node:fs'
import { isAbsolute, relative, resolve } from 'node:path'

/**
 * Expands `<CodeWithScript scriptPath="./echo-demo/scripts/x.sh" region="slide" lines="{2|3}" />` into the
 * component wrapping Slidev's snippet import (`<<< @/path#region lang {lines}`), so the code on a slide is
 * read from the file and highlighted by Shiki at build time, and the dev server reloads it on every edit.
 * Anything that would put stale code on stage — a missing file, a missing region, code typed into the tag —
 * throws, which fails `slidev build` and the dev server.
 */

const TAG = /<CodeWithScript\b([^>]*?)(\/>|>([\s\S]*?)<\/CodeWithScript>)/g
const ATTRIBUTE = /([\w:-]+)\s*=\s*"([^"]*)"/g
const LANGUAGES: Record<string, string> = { sh: 'bash', bash: 'bash', yaml: 'yaml', yml: 'yaml', ts: 'ts', conf: 'ini', js: 'js' }

export interface ScriptSnippet {
  /** Path from the repository root, e.g. echo-demo/scripts/01-install-k3s.sh */
  path: string
  region?: string
  lang: string
  /** Shiki line highlights with click steps, e.g. {2,3|5} */
  lines?: string
}

function parseAttributes(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(ATTRIBUTE)].map(([, name, value]) => [name, value]))
}

/** The lines of `region` in `text` (between `#region NAME` and `#endregion NAME` comments), or undefined. */
export function regionLines(text: string, region: string): string[] | undefined {
  const lines = text.split(/\r?\n/)
  const marker = (kind: 'region' | 'endregion') => new RegExp(`^\\s*(#|//)\\s*#${kind}\\s+${region}\\s*$`)
  const start = lines.findIndex(line => marker('region').test(line))
  if (start < 0)
    return undefined
  const end = lines.findIndex((line, index) => index > start && marker('endregion').test(line))
  return end < 0 ? undefined : lines.slice(start + 1, end)
}

/** Checks one tag's attributes against the files under `root` and returns what to import. */
export function resolveScriptSnippet(attributes: Record<string, string>, root: string): ScriptSnippet {
  const scriptPath = attributes.scriptPath
  if (!scriptPath)
    throw new Error('<CodeWithScript> needs scriptPath="path/from/the/repository/root"')
  const file = resolve(root, scriptPath.replace(/^@?\//, ''))
  const path = relative(root, file)
  if (path.startsWith('..') || isAbsolute(path))
    throw new Error(`<CodeWithScript> scriptPath leaves the repository: ${scriptPath}`)
  if (!existsSync(file) || !statSync(file).isFile())
    throw new Error(`<CodeWithScript> scriptPath not found: ${scriptPath}`)
  const region = attributes.region
  if (region !== undefined) {
    if (!/^[\w-]+$/.test(region))
      throw new Error(`<CodeWithScript> region must be a plain name: ${region}`)
    if (!regionLines(readFileSync(file, 'utf8'), region))
      throw new Error(`<CodeWithScript> ${scriptPath} has no region "${region}" (# #region ${region} … # #endregion ${region})`)
  }
  const extension = path.split('.').pop() ?? ''
  const lang = attributes.lang ?? LANGUAGES[extension] ?? extension
  const lines = attributes.lines
  if (lines !== undefined && !/^\{[\d,|\-*\s]+\}$/.test(lines))
    throw new Error(`<CodeWithScript> lines must look like {2,3|5}: ${lines}`)
  return { path, region, lang, lines }
}

/** Rewrites every `<CodeWithScript … />` in a slide's markdown; see the module comment. */
export function expandCodeWithScript(markdown: string, root: string): string {
  return markdown.replace(TAG, (_tag, attributeText: string, _end: string, body: string | undefined) => {
    if (body?.trim())
      throw new Error('<CodeWithScript> takes no code between its tags: the code comes from scriptPath')
    const attributes = parseAttributes(attributeText)
    const snippet = resolveScriptSnippet(attributes, root)
    const region = snippet.region ? `#${snippet.region}` : ''
    const rest = Object.entries(attributes)
      .filter(([name]) => !['scriptPath', 'region', 'lang', 'lines'].includes(name))
      .map(([name, value]) => ` ${name}="${value}"`)
      .join('')
    const regionAttribute = snippet.region ? ` region="${snippet.region}"` : ''
    const importLine = `<<< @/${snippet.path}${region} ${snippet.lang}${snippet.lines ? ` ${snippet.lines}` : ''}`
    return `<CodeWithScript path="${snippet.path}"${regionAttribute}${rest}>\n\n${importLine}\n\n</CodeWithScript>`
  })
}
