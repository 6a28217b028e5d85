/**
 * Follow the speaker, the speaker's half (`npm run dev` only): the presenter's dev server tells the audience
 * chat which slide the speaker is on, with `PUT /api/slide {"slide": N}` on the chat's tailnet listener —
 * the only one the chat takes it from. The windows of the deck send their slide changes over Vite's HMR
 * socket (live-demo/browser/speaker-slide-client.ts); the audience's pages follow through the chat's public listener
 * (composables/useFollowSpeaker.ts).
 *
 * `apply: 'serve'` and `configureServer` keep it out of `slidev build`. It stays off while exporting, when
 * no chat address is configured (project.json `chatSpeakerUrl`, or CHAT_SPEAKER_URL), and when other
 * machines could reach the dev server (`--remote`, `--tunnel`, another host): then anyone could announce.
 */
import type { Plugin } from 'vite'
import type { SpeakerSlideMessage } from '../shared/speaker-slide-event.ts'
import process from 'node:process'
import { SPEAKER_SLIDE_EVENT } from '../shared/speaker-slide-event.ts'
import { isLoopbackHost, serveModeOf } from './guard.ts'

export interface SpeakerSlideOptions {
  /** The chat's speaker listener, e.g. http://phone-b.tailnet.ts.net:8080 (empty: off) */
  chatUrl?: string
  /** For tests: the command line to judge (default: this process's) */
  argv?: string[]
}

export interface Announcer {
  /** Asks for slide `no` to be announced; only the latest wish is sent, once. */
  announce: (no: number) => void
  /** Resolves when nothing is being sent (tests) */
  idle: () => Promise<void>
  stop: () => void
}

interface AnnouncerLog {
  info: (message: string) => void
  warn: (message: string) => void
}

export interface AnnouncerTiming {
  /** Milliseconds between tries while the chat can't be reached */
  retryMs?: number
  /** Milliseconds a request may take */
  timeoutMs?: number
}

/**
 * Sends the speaker's slide to the chat: one request at a time, the latest slide only, repeats skipped. When
 * the chat can't be reached it says so once and tries again every `retryMs`, until it can.
 */
export function createAnnouncer(chatUrl: string, log: AnnouncerLog, { retryMs = 3000, timeoutMs = 5000 }: AnnouncerTiming = {}): Announcer {
  const endpoint = new URL('/api/slide', chatUrl).href
  let wanted: number | undefined
  let sent: number | undefined
  let running: Promise<void> | undefined
  let retry: ReturnType<typeof setTimeout> | undefined
  let failing = false

  async function put(slide: number) {
    try {
      const response = await fetch(endpoint, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ slide }),
        signal: AbortSignal.timeout(timeoutMs),
      })
      if (!response.ok)
        throw new Error(`HTTP ${response.status} ${(await response.text()).slice(0, 200)}`)
      sent = slide
      if (failing)
        log.info(`follow the speaker: ${endpoint} answers again`)
      failing = false
    }
    catch (error) {
      if (!failing)
        log.warn(`follow the speaker: could not announce slide ${slide} to ${endpoint}: ${(error as Error).message}. Trying again every ${retryMs / 1000} s.`)
      failing = true
      clearTimeout(retry)
      retry = setTimeout(flush, retryMs)
      retry.unref?.()
    }
  }

  function flush() {
    if (running || wanted === undefined || wanted === sent)
      return
    const slide = wanted
    running = put(slide).finally(() => {
      running = undefined
      if (!failing)
        flush()
    })
  }

  return {
    announce(no) {
      if (!Number.isInteger(no) || no < 1)
        return
      wanted = no
      if (!failing)
        flush()
    },
    async idle() {
      // eslint-disable-next-line no-unmodified-loop-condition -- flush() replaces it, and clears it when a put settles, while this awaits
      while (running)
        await running
    },
    stop: () => clearTimeout(retry),
  }
}

export function speakerSlide(options: SpeakerSlideOptions = {}): Plugin {
  return {
    name: 'kop:speaker-slide',
    apply: 'serve',
    configureServer(server) {
      const chatUrl = options.chatUrl?.trim()
      if (!chatUrl || serveModeOf(server.config) === 'export')
        return
      const logger = server.config.logger
      const argv = options.argv ?? process.argv
      const remote = argv.find(arg => /^--(?:remote|tunnel)(?:=|$)/.test(arg))
      if (remote || !isLoopbackHost(server.config.server.host)) {
        logger.warn(`follow the speaker: off — other machines can reach this dev server (${remote ?? String(server.config.server.host)}), and any of them could announce a slide`)
        return
      }
      const announcer = createAnnouncer(chatUrl, { info: message => logger.info(message), warn: message => logger.warn(message) })
      server.hot.on(SPEAKER_SLIDE_EVENT, (message: SpeakerSlideMessage) => announcer.announce(Number(message?.slide)))
      server.httpServer?.once('close', announcer.stop)
      logger.info(`follow the speaker: slide changes go to ${new URL('/api/slide', chatUrl).href}`)
    },
  }
}
