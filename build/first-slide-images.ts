// The first slide's pictures, asked for by index.html. A slide's <img> starts loading only once its slide's code
// has arrived and rendered, the last step before the first slide is painted; a preload link lets the browser
// fetch them alongside the code instead. Slide 1's pictures are the img/ paths its Markdown names (SlideImage's
// img="./img/…", a Markdown image or src=), found in the built site by their original file name.
import type { Plugin } from 'vite'

/** img/ paths a slide's Markdown names, as "img/x.svg". */
export function imagePaths(markdown: string): string[] {
  return [...new Set([...markdown.matchAll(/["'(]\.?\/?(img\/[^"')\s]+\.(?:svg|png|jpe?g|webp|gif))["')]/g)].map(match => match[1]))]
}

export function firstSlideImages(firstSlideMarkdown: string): Plugin {
  const wanted = imagePaths(firstSlideMarkdown)
  let base = '/'
  return {
    name: 'kop:first-slide-images',
    apply: 'build',
    configResolved(config) {
      base = config.base
    },
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const assets = Object.values(context.bundle ?? {}).filter(file => file.type === 'asset')
        return wanted.flatMap((path) => {
          const asset = assets.find(file => file.originalFileNames.some(name => name === path || name.endsWith(`/${path}`)))
          return asset ? [{ tag: 'link', attrs: { rel: 'preload', as: 'image', href: `${base}${asset.fileName}` }, injectTo: 'head' as const }] : []
        })
      },
    },
  }
}
