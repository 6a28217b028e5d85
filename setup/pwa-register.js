// Registers the deck's service worker (built by setup/vite-plugins.ts), inlined into index.html as a classic
// script with data-sw (the worker's URL) and data-scope (the deck's base path). It waits until the page has
// loaded and a slide is rendered (or 10 s for pages without one), so the precache download never competes
// with the first slide, and the first time the deck is saved for offline use a short note says so.
(() => {
  const { sw, scope } = document.currentScript.dataset
  if (!('serviceWorker' in navigator))
    return

  function note(text) {
    const box = document.createElement('div')
    box.className = 'kop-offline-note'
    box.setAttribute('role', 'status')
    box.textContent = text
    document.body.appendChild(box)
    setTimeout(() => box.remove(), 4000)
  }

  function register() {
    const firstInstall = !navigator.serviceWorker.controller
    navigator.serviceWorker.register(sw, { scope }).then((registration) => {
      const worker = registration.installing
      if (!firstInstall || !worker)
        return
      worker.addEventListener('statechange', () => {
        if (worker.state === 'activated')
          note('Saved for offline reading')
      })
    }).catch(error => console.warn('No offline copy of the deck:', error))
  }

  function whenSlideShown() {
    if (document.querySelector('.slidev-layout'))
      return register()
    let fallback
    const observer = new MutationObserver(() => {
      if (document.querySelector('.slidev-layout')) {
        observer.disconnect()
        clearTimeout(fallback)
        register()
      }
    })
    fallback = setTimeout(() => {
      observer.disconnect()
      register()
    }, 10000)
    observer.observe(document.body, { childList: true, subtree: true })
  }

  if (document.readyState === 'complete')
    whenSlideShown()
  else
    addEventListener('load', whenSlideShown, { once: true })
})()
