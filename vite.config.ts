import type { Plugin } from 'vite'
import { readFileSync } from 'node:fs'
import process from 'node:process'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { qrShape } from './build/qr.ts'

const projectFile = fileURLToPath(new URL('./project.json', import.meta.url))

/** The project's addresses (project.json): the one place a fork edits. */
export interface ProjectLinks {
  repository: string
  branch: string
  deckUrl: string
  blogUrl: string
  sapMachineUrl: string
  /**
   * The audience chat's public address (`tailscale funnel`, https://phone.tailnet.ts.net/): the room chat slide's QR
   * code, and where the reading view and the slides view learn the speaker's slide. Empty: no QR code, no following,
   * nothing requested. CHAT_PUBLIC_URL overrides it.
   */
  chatPublicUrl: string
  /**
   * The chat's address in the tailnet (its speaker listener), where the presenter's dev server announces the
   * slide. Empty: nothing announced. Never sent to a browser. CHAT_SPEAKER_URL overrides it.
   */
  chatSpeakerUrl: string
}

/** project.json, with the chat's addresses overridable from the environment (a build or dev server for another room, the tests). */
export function readProject(env: Record<string, string | undefined> = process.env): ProjectLinks {
  // livePhones is the dev server's (live-demo/node/phones.ts), not an address: it never reaches the browser.
  const { $comment: _comment, livePhones: _phones, ...links } = JSON.parse(readFileSync(projectFile, 'utf8'))
  return {
    ...links,
    chatPublicUrl: env.CHAT_PUBLIC_URL ?? links.chatPublicUrl,
    chatSpeakerUrl: env.CHAT_SPEAKER_URL ?? links.chatSpeakerUrl,
  }
}

/** What the browser gets: every address but the tailnet one, which only the dev server uses. */
export type BrowserLinks = Omit<ProjectLinks, 'chatSpeakerUrl'>

const linksId = 'virtual:project-links'
const qrId = 'virtual:project-qr'

/**
 * Serves `virtual:project-links`, the addresses from project.json, and `virtual:project-qr`, each address's QR
 * code computed at build time, so no QR image is stored and no QR library ships to the browser. Two modules, so
 * the codes travel only with the slides that show one, not with every page that needs an address.
 */
function projectLinks(): Plugin {
  return {
    name: 'project-links',
    resolveId: id => ([linksId, qrId].includes(id) ? `\0${id}` : undefined),
    load(id) {
      if (id !== `\0${linksId}` && id !== `\0${qrId}`)
        return
      this.addWatchFile(projectFile)
      const { chatSpeakerUrl: _speaker, ...links }: ProjectLinks = readProject()
      if (id === `\0${linksId}`)
        return `export const links = ${JSON.stringify(links)}\n`
      const qr = Object.fromEntries(Object.values(links).filter(v => /^https?:/.test(v)).map(url => [url, qrShape(url)]))
      return `export const qr = ${JSON.stringify(qr)}\n`
    },
  }
}

/** GitHub Pages serves the deck under /REPO/: the build's base path is the deck URL's path. */
export const deckBasePath = new URL(readProject().deckUrl).pathname

export default defineConfig(({ command }) => ({
  base: command === 'build' ? deckBasePath : undefined,
  // Pictures stay files (logic/images.ts hands out their URLs) instead of data URLs inlined into the
  // first slide's JavaScript: each is fetched only when a slide shows it.
  build: { assetsInlineLimit: 0 },
  // (The live demos' plugins are the live-demo addon's: live-demo/vite.config.ts.)
  plugins: [projectLinks()],
}))
