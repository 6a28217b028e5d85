// The chat page. Live through server-sent events; every string from users or commands is rendered
// with textContent (never as HTML), so a message like <img onerror=…> shows up as text.
//
// Built for a flood: incoming messages are collected and rendered once per animation frame, at most
// MAX_SHOWN stay on screen (older ones come back with "Load older messages"), a message finds its
// place by binary search, and JSON output is pretty-printed only when that stays small.
'use strict'

const MAX_SHOWN = 200
/** Messages rendered per frame: a flood spreads over a few frames instead of one long task. */
const PER_FRAME = 40
/** "Load older messages" may show more, but never more than this. */
const MAX_SHOWN_WITH_OLDER = 1000
/** Pretty-printing: only for output up to this size, nested at most this deep, and growing at most 3×. */
const PRETTY_MAX_INPUT = 20_000
const PRETTY_MAX_DEPTH = 12

const $ = id => document.getElementById(id)
const list = $('messages')
const scroller = $('scroller')
const form = $('composer')
const input = $('text')
const sendButton = $('send')
const errorLine = $('error')
const statusLine = $('status')
const noticeLine = $('notice')
const olderButton = $('older')
const emptyNote = $('empty')

/** What is on screen: ids ascending, and id → {li, message}. */
const ids = []
const shown = new Map()
/** Arrived, not yet rendered: id → message (the latest version wins). */
const pending = new Map()
const hidden = new Set()
let frame = 0
let cap = MAX_SHOWN
let waiting = []
let role = 'audience'
let lastEventId = ''
let lastSent = ''
/** /clear hides everything up to this id in this browser only; the server keeps the messages. */
let clearedUpTo = Number(localStorage.getItem('chat.clearedUpTo') || 0)

/** The same node name always gets the same colour. */
function hue(name) {
  let h = 7
  for (const ch of String(name)) h = (h * 31 + ch.codePointAt(0)) >>> 0
  return h % 360
}

function el(tag, className, text) {
  const node = document.createElement(tag)
  if (className)
    node.className = className
  if (text !== undefined)
    node.textContent = text
  return node
}

/** How deep brackets nest outside strings: deep nesting makes pretty-printing explode. */
function depth(text) {
  let max = 0
  let level = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inString) {
      if (ch === '\\')
        i++
      else if (ch === '"')
        inString = false
    }
    else if (ch === '"') {
      inString = true
    }
    else if (ch === '{' || ch === '[') {
      max = Math.max(max, ++level)
    }
    else if (ch === '}' || ch === ']') {
      level--
    }
  }
  return max
}

/** Output that is JSON is shown pretty-printed when that stays small; anything else exactly as it came. */
function formatOutput(output) {
  const trimmed = output.trim()
  if (/^[[{]/.test(trimmed) && trimmed.length <= PRETTY_MAX_INPUT && depth(trimmed) <= PRETTY_MAX_DEPTH) {
    try {
      const pretty = JSON.stringify(JSON.parse(trimmed), null, 2)
      if (pretty.length <= trimmed.length * 3 + 200)
        return { text: pretty, json: true }
    }
    catch {
      // not JSON after all
    }
  }
  return { text: output, json: false }
}

function render(m) {
  const li = el('li', 'msg')
  li.dataset.id = String(m.id)
  li.style.setProperty('--hue', String(hue(m.node)))

  const meta = el('div', 'meta')
  const time = el('time', '', new Date(m.createdAt).toLocaleTimeString())
  time.dateTime = m.createdAt
  meta.append(el('span', 'chip id', `#${m.id}`), time, el('span', 'chip pod', `pod ${m.pod}`), el('span', 'chip node', `node ${m.node}`))
  li.append(meta, el('p', 'text', m.text))

  if (m.command !== null) {
    li.classList.add('command', `status-${m.status}`)
    if (m.status === 'running') {
      li.setAttribute('aria-busy', 'true')
      const place = waiting.indexOf(m.id)
      li.append(place >= 0 ? el('p', 'queued', `/${m.command} waits for a free slot: number ${place + 1} in the queue`) : el('p', 'thinking', `/${m.command} is thinking`))
    }
    else {
      if (m.status !== 'ok')
        meta.append(el('span', 'badge', m.status === 'timeout' ? 'timed out' : 'failed'))
      const { text, json } = formatOutput(m.output ?? '')
      const pre = el('pre', json ? 'output json' : 'output', text)
      pre.tabIndex = 0 // long output scrolls: reachable with the keyboard
      li.append(pre)
    }
  }
  return li
}

function nearBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80
}

/** The first index in ids whose id is larger than id. */
function after(id) {
  let low = 0
  let high = ids.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (ids[mid] <= id)
      low = mid + 1
    else high = mid
  }
  return low
}

/** Queues a message for the next frame; while the tab is hidden, only the newest ones are kept. */
function upsert(m) {
  if (m.id <= clearedUpTo || hidden.has(m.id))
    return
  pending.set(m.id, m)
  if (pending.size > MAX_SHOWN_WITH_OLDER)
    pending.delete(Math.min(...pending.keys()))
  if (!frame)
    frame = requestAnimationFrame(flush)
}

function place(m) {
  const li = render(m)
  const existing = shown.get(m.id)
  if (existing) {
    existing.li.replaceWith(li)
  }
  else {
    const index = after(m.id)
    list.insertBefore(li, index < ids.length ? shown.get(ids[index]).li : null)
    ids.splice(index, 0, m.id)
  }
  shown.set(m.id, { li, message: m })
}

function remove(id) {
  const entry = shown.get(id)
  if (!entry)
    return
  entry.li.remove()
  shown.delete(id)
  ids.splice(ids.indexOf(id), 1)
}

/** Renders everything that arrived since the last frame: one layout for the whole batch. */
function flush() {
  frame = 0
  const stick = nearBottom()
  // Only the newest `cap` can stay on screen; of those, the oldest PER_FRAME now, the rest next frame.
  const newest = [...pending.values()].sort((a, b) => a.id - b.id).slice(-cap)
  pending.clear()
  const now = newest.slice(0, PER_FRAME)
  for (const m of newest.slice(PER_FRAME)) pending.set(m.id, m)
  for (const m of now) place(m)
  if (pending.size > 0)
    frame = requestAnimationFrame(flush)
  if (ids.length > cap) {
    for (const id of ids.slice(0, ids.length - cap)) remove(id)
    olderButton.hidden = false
  }
  emptyNote.hidden = ids.length > 0
  if (stick)
    scroller.scrollTop = scroller.scrollHeight
}

/** Re-renders the commands whose place in the queue changed. */
function setWaiting(next) {
  const changed = new Set([...waiting, ...next])
  waiting = next
  for (const id of changed) {
    const entry = shown.get(id)
    if (entry && entry.message.status === 'running')
      upsert(entry.message)
  }
}

async function getJson(url, options) {
  const response = await fetch(url, options)
  let body = {}
  try {
    body = await response.json()
  }
  catch {
    // no JSON body
  }
  return { response, body }
}

async function loadLatest() {
  const { response, body } = await getJson('/api/messages?limit=50')
  if (!response.ok)
    throw new Error(body.error || `HTTP ${response.status}`)
  for (const m of body.messages) upsert(m)
  olderButton.hidden = body.nextBefore === null && clearedUpTo === 0
}

async function loadOlder() {
  if (clearedUpTo > 0) {
    // Asking for older messages undoes /clear.
    clearedUpTo = 0
    localStorage.removeItem('chat.clearedUpTo')
  }
  const before = ids.length === 0 ? '' : `&before=${ids[0]}`
  const { response, body } = await getJson(`/api/messages?limit=50${before}`)
  if (!response.ok)
    return showError(body.error || `HTTP ${response.status}`)
  cap = Math.min(MAX_SHOWN_WITH_OLDER, Math.max(cap, ids.length + body.messages.length))
  const height = scroller.scrollHeight
  for (const m of body.messages) {
    if (!hidden.has(m.id))
      place(m)
  }
  scroller.scrollTop += scroller.scrollHeight - height // keep the view where it was
  olderButton.hidden = body.nextBefore === null
  emptyNote.hidden = ids.length > 0
}

function clearScreen() {
  clearedUpTo = Math.max(0, ...ids, ...pending.keys())
  localStorage.setItem('chat.clearedUpTo', String(clearedUpTo))
  list.replaceChildren()
  shown.clear()
  ids.length = 0
  pending.clear()
  olderButton.hidden = false
  emptyNote.hidden = false
}

function showError(text) {
  errorLine.textContent = text
}

/** A fresh key per message; a retry sends the same one, so the server stores the message once. */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return [...bytes].map(b => b.toString(16).padStart(2, '0')).join('')
}

async function post(text, key) {
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await getJson('/api/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ text }),
      })
      if (answer.response.status !== 503 || attempt >= 2)
        return answer
    }
    catch (error) {
      if (attempt >= 2)
        throw error
    }
    await new Promise(resolve => setTimeout(resolve, 1000 * 2 ** attempt))
  }
}

async function send(text) {
  sendButton.disabled = true
  showError('')
  try {
    const { response, body } = await post(text, newKey())
    if (response.ok) {
      lastSent = text
      input.value = ''
      grow()
      if (body.clear)
        clearScreen()
      else if (body.message)
        upsert(body.message)
      scroller.scrollTop = scroller.scrollHeight
    }
    else {
      const who = body.pod ? ` (pod ${body.pod} on node ${body.node})` : ''
      showError(`${body.error || `HTTP ${response.status}`}${who}`)
    }
  }
  catch (error) {
    showError(`Could not reach the server: ${error.message}`)
  }
  finally {
    sendButton.disabled = false
    input.focus()
  }
}

/** The text box grows with its content, up to a limit set in CSS. */
function grow() {
  input.style.height = 'auto'
  input.style.height = `${input.scrollHeight + 2}px`
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  const text = input.value
  if (text.trim() === '')
    return showError('Type a message first.')
  void send(text)
})
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault()
    form.requestSubmit()
  }
  else if (event.key === 'ArrowUp' && input.value === '' && lastSent) {
    event.preventDefault()
    input.value = lastSent
    grow()
  }
  else if (event.key === 'Escape') {
    showError('')
  }
})
input.addEventListener('input', grow)
olderButton.addEventListener('click', () => void loadOlder())

function setStatus(state, text) {
  statusLine.dataset.state = state
  statusLine.textContent = text
}

function setPosting(posting) {
  const paused = !posting && role === 'audience'
  noticeLine.hidden = !paused
  noticeLine.textContent = paused ? 'The speaker has paused the chat for the audience. You can still read along.' : ''
  input.disabled = paused
  sendButton.disabled = paused
}

/**
 * The live stream. A dropped connection is reopened by EventSource itself, which sends Last-Event-ID
 * so the server replays what was missed. When the server refuses (the room is full: 503),
 * EventSource gives up: then this reopens it after a while, passing the last id along.
 */
let retryMs = 2000
function connect() {
  const events = new EventSource(lastEventId ? `/api/events?lastEventId=${encodeURIComponent(lastEventId)}` : '/api/events')
  const remember = (event) => {
    if (event.lastEventId)
      lastEventId = event.lastEventId
  }
  events.addEventListener('hello', (event) => {
    const hello = JSON.parse(event.data)
    role = hello.role || 'audience'
    retryMs = 2000
    setStatus('live', `live · this page is served by pod ${hello.pod} on node ${hello.node}`)
  })
  events.addEventListener('message', (event) => {
    remember(event)
    upsert(JSON.parse(event.data))
  })
  events.addEventListener('update', (event) => {
    remember(event)
    upsert(JSON.parse(event.data))
  })
  events.addEventListener('hide', (event) => {
    remember(event)
    const { id } = JSON.parse(event.data)
    hidden.add(id)
    pending.delete(id)
    remove(id)
  })
  events.addEventListener('queue', event => setWaiting(JSON.parse(event.data).waiting))
  events.addEventListener('audience', event => setPosting(JSON.parse(event.data).posting))
  // The server could not replay what this page missed: start again from the newest messages.
  events.addEventListener('reset', () => void loadLatest().catch(() => {}))
  events.addEventListener('error', () => {
    if (events.readyState !== EventSource.CLOSED)
      return setStatus('offline', 'reconnecting…')
    const wait = retryMs + Math.floor(Math.random() * retryMs)
    retryMs = Math.min(retryMs * 2, 30_000)
    setStatus('offline', `no live connection (the room may be full); trying again in ${Math.round(wait / 1000)} s`)
    setTimeout(connect, wait)
  })
}

async function init() {
  try {
    const { body } = await getJson('/api/info')
    if (body.maxMessageLength)
      input.maxLength = body.maxMessageLength
  }
  catch {
    // the defaults will do
  }
  connect()
  try {
    await loadLatest()
  }
  catch (error) {
    showError(`Could not load messages: ${error.message}`)
  }
  input.focus()
}

void init()
