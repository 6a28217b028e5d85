import type { ResolvedSlidevOptions } from '@slidev/types'
import type { Plugin } from 'vite'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { minifySync } from 'vite'
import { describe, expect, it } from 'vitest'
import { icons, iconSvg } from '../../scripts/pwa-icons.ts'
import setupVitePlugins, { manifestIcons } from '../../setup/vite-plugins.ts'

// The offline setup of setup/vite-plugins.ts and the icons it names (public/pwa/, drawn by scripts/pwa-icons.ts).

const publicDir = join(import.meta.dirname, '../../public')

function pluginsFor(mode: ResolvedSlidevOptions['mode']): Plugin[] {
  const options = { mode, data: { config: { title: 'Kubernetes on a Phone' }, slides: [] } } as unknown as ResolvedSlidevOptions
  return [setupVitePlugins(options)].flat(Infinity as 1) as Plugin[]
}

function png(file: string) {
  return PNG.sync.read(readFileSync(join(publicDir, file)))
}

describe('the service worker and manifest', () => {
  it('are part of `slidev build` only: the dev server and the PDF export get none', () => {
    // …only the notes' module (build/slide-notes.ts), which the reading view imports in every mode
    expect(pluginsFor('dev').map(plugin => plugin.name)).toEqual(['kop:slide-notes'])
    expect(pluginsFor('export').map(plugin => plugin.name)).toEqual(['kop:slide-notes'])
    const names = pluginsFor('build').map(plugin => plugin.name)
    expect(names).toContain('vite-plugin-pwa')
    expect(names).toContain('kop:pwa-head')
  })

  it('index.html gets the registration for the base path Vite resolved (vite.config.ts, or `--base`)', () => {
    const head = pluginsFor('build').find(plugin => plugin.name === 'kop:pwa-head')!
    const configResolved = head.configResolved as (config: { base: string }) => void
    const transform = head.transformIndexHtml as () => { tag: string, attrs?: Record<string, string>, children?: string }[]
    configResolved({ base: '/other/' })
    const tags = transform()
    const script = tags.find(tag => tag.tag === 'script')!
    expect(script.attrs).toEqual({ 'data-sw': '/other/sw.js', 'data-scope': '/other/' })
    // setup/pwa-register.js, minified (pwa-register.test.ts runs the source)
    expect(script.children).toBe(minifySync('pwa-register.js', readFileSync(join(import.meta.dirname, '../../setup/pwa-register.js'), 'utf8')).code)
    expect(script.children).not.toContain('//')
    expect(tags.find(tag => tag.attrs?.rel === 'apple-touch-icon')?.attrs?.href).toBe('/other/pwa/apple-touch-icon.png')
    expect(tags.find(tag => tag.attrs?.name === 'theme-color')?.attrs?.content).toMatch(/^#[0-9a-f]{6}$/)
  })
})

describe('the icons', () => {
  it('exist in public/ with the sizes the manifest declares', () => {
    for (const icon of manifestIcons.filter(candidate => candidate.type === 'image/png')) {
      const image = png(icon.src)
      expect(`${image.width}x${image.height}`, icon.src).toBe(icon.sizes)
    }
    expect(readFileSync(join(publicDir, 'pwa/icon.svg'), 'utf8')).toBe(iconSvg({ rounded: true }))
  })

  it('are the generator\'s: one file per icon it draws, in its size', () => {
    for (const icon of icons) {
      const image = png(`pwa/${icon.file}`)
      expect([image.width, image.height], icon.file).toEqual([icon.size, icon.size])
    }
  })

  it('the maskable icon and the home-screen icon for iOS are opaque; the rounded ones have transparent corners', () => {
    const alphaAt = (image: PNG, x: number, y: number) => image.data[(y * image.width + x) * 4 + 3]
    for (const file of ['pwa/icon-maskable-512.png', 'pwa/apple-touch-icon.png']) {
      const image = png(file)
      const alphas = new Set<number>()
      for (let i = 3; i < image.data.length; i += 4)
        alphas.add(image.data[i])
      expect([...alphas], file).toEqual([255])
    }
    const rounded = png('pwa/icon-512.png')
    expect(alphaAt(rounded, 0, 0)).toBe(0)
    expect(alphaAt(rounded, 256, 256)).toBe(255)
  })
})
