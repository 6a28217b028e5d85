// The audience's deck keeps working offline once it has been opened: in `slidev build` a service worker
// (vite-plugin-pwa, Workbox) precaches every file of the built deck and serves it when the network is gone,
// and a web app manifest lets a phone add the deck to its home screen.
//
// Why not Slidev's `pwa` headmatter option: it hands vite-plugin-pwa the CLI's `--base` (else "/"), not the
// base path our vite.config.ts takes from project.json, so the built deck registered /sw.js and linked
// /manifest.webmanifest — outside /k3s-on-phone-demo/, 404 on GitHub Pages. It also registers the worker at
// once, while the first slide is still loading, and its manifest has no icons. Here the base is Vite's own
// (`base` is left unset), and the worker is registered only after the first slide is on screen.
import type { Plugin } from 'vite'
import { readFileSync } from 'node:fs'
import { defineVitePluginsSetup } from '@slidev/types'
import { minifySync } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'
import { firstSlideImages } from '../build/first-slide-images.ts'
import { slideNotes } from '../build/slide-notes.ts'

// Minified: it is inlined into index.html, which every page load fetches first; its comments are for the source.
const registerScript = minifySync('pwa-register.js', readFileSync(new URL('./pwa-register.js', import.meta.url), 'utf8')).code

export const themeColor = '#1f2328'

/** Icons in public/pwa/, drawn by scripts/pwa-icons.ts; `src` is relative to the manifest (the base path). */
export const manifestIcons = [
  { src: 'pwa/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
  { src: 'pwa/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
  { src: 'pwa/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  { src: 'pwa/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
]

/** index.html: the worker's registration (setup/pwa-register.js), the theme colour, the icon iOS uses for the home screen. */
function deckPwaHead(): Plugin {
  let base = '/'
  return {
    name: 'kop:pwa-head',
    apply: 'build',
    configResolved(config) {
      base = config.base
    },
    transformIndexHtml() {
      return [
        { tag: 'meta', attrs: { name: 'theme-color', content: themeColor }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'apple-touch-icon', href: `${base}pwa/apple-touch-icon.png` }, injectTo: 'head' },
        { tag: 'script', attrs: { 'data-sw': `${base}sw.js`, 'data-scope': base }, children: registerScript, injectTo: 'body' },
      ]
    },
  }
}

export default defineVitePluginsSetup((options) => {
  // The notes leave the slide list where the built deck has no presenter, the reading view their only reader.
  const notes = slideNotes({ slides: options.data.slides.length, strip: options.mode === 'build' && options.data.config.presenter !== true && options.data.config.presenter !== 'build' })
  if (options.mode !== 'build')
    return [notes]
  const title = options.data.config.title || 'Kubernetes on a Phone'
  return [
    VitePWA({
      injectRegister: false,
      includeManifestIcons: false, // the icons are in the precache through globPatterns already
      manifest: {
        name: title,
        short_name: 'K8s on Phone',
        description: 'The slides of the talk "Kubernetes on a Phone": a k3s cluster on Android phones, joined over Tailscale.',
        display: 'standalone',
        orientation: 'any',
        theme_color: themeColor,
        background_color: '#ffffff',
        icons: manifestIcons,
      },
      workbox: {
        // Everything the deck can show offline: its code, styles, pictures, recordings (the plugin adds the
        // manifest itself). 404.html is a copy of index.html for GitHub Pages; the service worker answers every
        // navigation with index.html instead.
        globPatterns: ['**/*.{html,js,css,svg,png,jpg,jpeg,gif,webp,avif,ico,woff,woff2,cast,txt,json}'],
        globIgnores: ['404.html'],
        maximumFileSizeToCacheInBytes: 5 * 1024 * 1024,
        navigateFallback: 'index.html',
        // …but not a file opened directly (a PDF next to the deck, say): only page paths get the deck.
        navigateFallbackDenylist: [/\/[^/?]+\.(?!html?$)[^/.?]+$/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
    deckPwaHead(),
    notes,
    firstSlideImages(options.data.slides[0]?.content ?? ''),
  ]
})
