import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Window } from 'happy-dom'
import { afterEach, describe, expect, it, vi } from 'vitest'

// setup/pwa-register.js, the inline script that registers the deck's service worker, run in happy-dom with a
// stand-in for navigator.serviceWorker and timers under the test's control.

const code = readFileSync(join(import.meta.dirname, '../../setup/pwa-register.js'), 'utf8')
const windows: Window[] = []

afterEach(async () => {
  for (const window of windows.splice(0))
    await window.happyDOM.close()
})

/** A fake ServiceWorkerRegistration whose worker is installing and can be moved to another state. */
function installingWorker() {
  const worker = Object.assign(new EventTarget(), { state: 'installing' })
  return {
    worker,
    become(state: string) {
      worker.state = state
      worker.dispatchEvent(new Event('statechange'))
    },
  }
}

function page(options: { readyState?: 'loading' | 'complete', slide?: boolean, controller?: object | null, register?: (url: string, options: object) => Promise<unknown>, noServiceWorker?: boolean } = {}) {
  const window = new Window({ url: 'https://example.github.io/k3s-on-phone-demo/' })
  windows.push(window)
  const document = window.document
  const script = document.createElement('script')
  script.dataset.sw = '/k3s-on-phone-demo/sw.js'
  script.dataset.scope = '/k3s-on-phone-demo/'
  document.body.appendChild(script)
  Object.defineProperty(document, 'currentScript', { value: script, configurable: true })
  let readyState = options.readyState ?? 'complete'
  Object.defineProperty(document, 'readyState', { get: () => readyState, configurable: true })
  if (options.slide)
    addSlide()

  const install = installingWorker()
  const register = vi.fn(options.register ?? (async () => ({ installing: install.worker })))
  const navigator = options.noServiceWorker ? {} : { serviceWorker: { controller: options.controller ?? null, register } }
  const timers: { at: number, run: () => void }[] = []
  let now = 0
  const setTimeout = (run: () => void, ms: number) => timers.push({ at: now + ms, run })
  const clearTimeout = (id: number) => {
    if (timers[id - 1])
      timers[id - 1].run = () => {}
  }
  const warnings: unknown[][] = []
  const console = { warn: (...args: unknown[]) => warnings.push(args) }

  // eslint-disable-next-line no-new-func -- runs the script's own source with these stand-ins for the browser's globals
  new Function('document', 'navigator', 'addEventListener', 'setTimeout', 'clearTimeout', 'MutationObserver', 'console', code)(
    document,
    navigator,
    window.addEventListener.bind(window),
    setTimeout,
    clearTimeout,
    window.MutationObserver,
    console,
  )

  function addSlide() {
    const slide = document.createElement('div')
    slide.className = 'slidev-layout'
    document.body.appendChild(slide)
  }

  return {
    document,
    register,
    install,
    warnings,
    addSlide,
    load() {
      readyState = 'complete'
      window.dispatchEvent(new window.Event('load'))
    },
    /** Lets `ms` of (fake) time pass, running the timers that come due. */
    advance(ms: number) {
      now += ms
      for (const timer of timers.filter(candidate => candidate.at <= now)) {
        timers.splice(timers.indexOf(timer), 1, { at: Number.POSITIVE_INFINITY, run: () => {} })
        timer.run()
      }
    },
    /** Waits for queued microtasks and mutation observers. */
    settle: () => window.happyDOM.waitUntilComplete().then(() => new Promise(resolve => queueMicrotask(() => resolve(undefined)))),
    notes: () => [...document.querySelectorAll('.kop-offline-note')].map(note => ({ text: note.textContent, role: note.getAttribute('role') })),
  }
}

describe('the service worker registration (setup/pwa-register.js)', () => {
  it('waits until the page has loaded and a slide is shown, then registers the worker of the base path', async () => {
    const deck = page({ readyState: 'loading' })
    expect(deck.register).not.toHaveBeenCalled()
    deck.load()
    await deck.settle()
    expect(deck.register).not.toHaveBeenCalled()
    deck.addSlide()
    await deck.settle()
    expect(deck.register).toHaveBeenCalledTimes(1)
    expect(deck.register).toHaveBeenCalledWith('/k3s-on-phone-demo/sw.js', { scope: '/k3s-on-phone-demo/' })
    deck.advance(10_000)
    expect(deck.register).toHaveBeenCalledTimes(1)
  })

  it('registers at once when the page is loaded and a slide already shows', async () => {
    const deck = page({ readyState: 'complete', slide: true })
    expect(deck.register).toHaveBeenCalledTimes(1)
  })

  it('registers after 10 s on a page without slides', async () => {
    const deck = page({ readyState: 'complete' })
    deck.advance(9_999)
    expect(deck.register).not.toHaveBeenCalled()
    deck.advance(1)
    expect(deck.register).toHaveBeenCalledTimes(1)
    deck.addSlide()
    await deck.settle()
    expect(deck.register).toHaveBeenCalledTimes(1)
  })

  it('on the first visit, says "Saved for offline reading" once the worker is active, for 4 s', async () => {
    const deck = page({ slide: true })
    await deck.settle()
    deck.install.become('installed')
    expect(deck.notes()).toEqual([])
    deck.install.become('activated')
    expect(deck.notes()).toEqual([{ text: 'Saved for offline reading', role: 'status' }])
    deck.advance(3_999)
    expect(deck.notes()).toHaveLength(1)
    deck.advance(1)
    expect(deck.notes()).toEqual([])
  })

  it('says nothing when a worker already controls the page (an update)', async () => {
    const deck = page({ slide: true, controller: {} })
    await deck.settle()
    deck.install.become('activated')
    expect(deck.notes()).toEqual([])
  })

  it('without service workers (or when registering fails) the deck just goes on: a warning, no error', async () => {
    const without = page({ slide: true, noServiceWorker: true })
    expect(without.notes()).toEqual([])
    const failing = page({
      slide: true,
      register: async () => {
        throw new Error('SecurityError')
      },
    })
    await failing.settle()
    expect(failing.warnings).toHaveLength(1)
    expect(String(failing.warnings[0][1])).toContain('SecurityError')
  })
})
