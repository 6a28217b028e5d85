import type { Plugin } from 'vite'
import type { ProjectLinks } from './project.ts'
import { projectFile, readProject } from './project.ts'
import { qrShape } from './qr.ts'

const linksId = 'virtual:project-links'
const qrId = 'virtual:project-qr'

/**
 * Serves `virtual:project-links`, the addresses from project.json, and `virtual:project-qr`, each address's QR
 * code computed at build time, so no QR image is stored and no QR library ships to the browser. Two modules, so
 * the codes travel only with the slides that show one, not with every page that needs an address.
 */
export function projectLinks(): Plugin {
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
