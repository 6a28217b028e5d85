// project.json, the one place a fork edits: the repository, the hosted deck's address (and so the build's base
// path), the links the slides show, and the chat's two addresses. Read by the build, the dev server and the tools.
import { readFileSync } from 'node:fs'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

export const projectFile = fileURLToPath(new URL('../project.json', import.meta.url))

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

/** GitHub Pages serves the deck under /REPO/: the build's base path is the deck URL's path. */
export const deckBasePath = new URL(readProject().deckUrl).pathname
