import { defineConfig } from 'vite'
import { projectLinks } from './build/project-links.ts'
import { deckBasePath } from './build/project.ts'

export default defineConfig(({ command }) => ({
  base: command === 'build' ? deckBasePath : undefined,
  // Pictures stay files (logic/images.ts hands out their URLs) instead of data URLs inlined into the
  // first slide's JavaScript: each is fetched only when a slide shows it.
  build: { assetsInlineLimit: 0 },
  // (The live demos' plugins are the live-demo addon's: live-demo/vite.config.ts.)
  plugins: [projectLinks()],
}))
