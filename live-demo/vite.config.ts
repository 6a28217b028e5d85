// The live-demo addon's Vite plugins, merged by Slidev into the deck's config (every root's vite.config):
// live demos and following the speaker, both for the dev server only (`apply: 'serve'`). A deck changes the
// live demos' options under `liveDemo` in its own vite.config.ts (live-demo/node/plugin.ts).
import { defineConfig } from 'vite'
import { readProject } from '../build/project.ts'
import { liveDemo } from './node/plugin.ts'
import { speakerSlide } from './node/speaker-slide.ts'

export default defineConfig({
  plugins: [liveDemo(), speakerSlide({ chatUrl: readProject().chatSpeakerUrl })],
})
