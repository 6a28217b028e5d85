// Terminal colours and fonts are written once, in style.css; components use them as CSS variables, and the
// libraries that take strings (xterm.js, asciinema-player) read them with cssVar.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { cssVar } from '../../logic/css-vars.ts'

const repo = join(import.meta.dirname, '../..')
const styleCss = readFileSync(join(repo, 'style.css'), 'utf8')
const defined = new Set([...styleCss.matchAll(/^\s*(--kop-[\w-]+):/gm)].map(m => m[1]))
/** Every component of the deck and of the live-demo addon, by file name */
const components = ['components', 'live-demo/components'].flatMap(dir => readdirSync(join(repo, dir), { recursive: true, encoding: 'utf8' })
  .filter(file => file.endsWith('.vue'))
  .map(file => ({ file, text: readFileSync(join(repo, dir, file), 'utf8') })))

describe('terminal colours and fonts', () => {
  afterEach(() => document.documentElement.style.removeProperty('--kop-mono'))

  it('are defined in style.css: a monospace list, a screen, its text and 16 colours', () => {
    expect(styleCss).toMatch(/--kop-mono: [^;]*monospace;/)
    for (const name of ['--kop-term-bg', '--kop-term-fg', ...Array.from({ length: 16 }, (_, i) => `--kop-term-${i}`)])
      expect(defined, name).toContain(name)
  })

  it('are what the components read, by names style.css defines', () => {
    const used = components.flatMap(({ file, text }) => [
      ...[...text.matchAll(/cssVar\('(--[\w-]+)'/g)].map(m => ({ file, name: m[1] })),
      ...[...text.matchAll(/var\((--kop-term-[\w-]+)\)/g)].map(m => ({ file, name: m[1] })),
    ])
    expect(used.map(use => use.file)).toEqual(expect.arrayContaining(['CastPlayer.vue', 'LiveTerminal.vue']))
    expect(used.filter(use => !defined.has(use.name))).toEqual([])
    // CastPlayer's coloured runs: var(--kop-term-${fg}) for fg 0–15
    // eslint-disable-next-line no-template-curly-in-string -- the template literal as CastPlayer.vue's source spells it
    expect(components.find(c => c.file === 'CastPlayer.vue')!.text).toContain('`var(--kop-term-${run.fg})`')
  })

  it('name no font list anywhere else', () => {
    const lists = components.filter(({ text }) => /DejaVu Sans Mono|ui-monospace|Liberation Mono|Menlo/.test(text))
    expect(lists.map(c => c.file)).toEqual([])
  })

  it('reach xterm.js and asciinema-player as strings, read where the terminal is', () => {
    document.documentElement.style.setProperty('--kop-mono', ' "Test Mono", monospace')
    expect(cssVar('--kop-mono')).toBe('"Test Mono", monospace')
    const host = document.createElement('div')
    host.style.setProperty('--kop-mono', 'Inner Mono')
    document.body.append(host)
    expect(cssVar('--kop-mono', host)).toBe('Inner Mono')
    host.remove()
  })
})
