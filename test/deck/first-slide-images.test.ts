import type { IndexHtmlTransformContext, Plugin } from 'vite'
import { describe, expect, it } from 'vitest'
import { firstSlideImages, imagePaths } from '../../build/first-slide-images.ts'

// build/first-slide-images.ts: index.html preloads the first slide's pictures, found by their img/ path.

function indexHtmlTags(plugin: Plugin, bundle: Record<string, unknown>, base = '/deck/') {
  (plugin.configResolved as (config: { base: string }) => void)({ base })
  const { handler } = plugin.transformIndexHtml as { handler: (html: string, context: IndexHtmlTransformContext) => unknown }
  return handler('<html></html>', { bundle } as unknown as IndexHtmlTransformContext)
}

describe('the first slide\'s pictures', () => {
  it('are the img/ paths its Markdown names, each once', () => {
    const markdown = '<SlideImage img="./img/cover.svg" alt="" />\n![A phone](img/phone.png)\n<img src="/img/cover.svg">\nimg/not-quoted.png'
    expect(imagePaths(markdown)).toEqual(['img/cover.svg', 'img/phone.png'])
  })

  it('are preloaded by index.html from where the build put them, under the base path', () => {
    const plugin = firstSlideImages('<SlideImage img="./img/cover.svg" alt="" />')
    const bundle = {
      'assets/cover-abc.svg': { type: 'asset', fileName: 'assets/cover-abc.svg', originalFileNames: ['img/cover.svg'] },
      'assets/other-def.svg': { type: 'asset', fileName: 'assets/other-def.svg', originalFileNames: ['img/other.svg'] },
    }
    expect(indexHtmlTags(plugin, bundle)).toEqual([{ tag: 'link', attrs: { rel: 'preload', as: 'image', href: '/deck/assets/cover-abc.svg' }, injectTo: 'head' }])
  })

  it('add nothing when the first slide has none', () => {
    expect(indexHtmlTags(firstSlideImages('# Just a title'), {})).toEqual([])
  })
})
