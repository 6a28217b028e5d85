// The chat page. Live through server-sent events; every string from users or commands is rendered
// with textContent (never as HTML), so a message like <img onerror=…> shows up as text.
'use strict'

const $ = (id) => document.getElementById(id)
const list = $('messages')
const scroller = $('scroller')
const form = $('composer')
const input = $('text')
const sendButton = $('send')
const errorLine = $('error')
const statusLine = $('status')
const olderButton = $('older')
const emptyNote = $('empty')

/** id → <li> */
const shown = new Map()
let oldestId = null
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
  if (className) node.className = className
  if (text !== undefined) node.textContent = text
  return node
}

/** Output that is JSON is shown pretty-printed; anything else exactly as it came. */
function formatOutput(output) {
  const trimmed = output.trim()
  if (/^[[{]/.test(trimmed)) {
    try {
      return { text: JSON.stringify(JSON.parse(trimmed), null, 2), json: true }
    } catch {
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
  meta.append(time, el('span', 'chip pod', `pod ${m.pod}`), el('span', 'chip node', `node ${m.node}`))
  li.append(meta, el('p', 'text', m.text))

  if (m.command !== null) {
    li.classList.add('command', `status-${m.status}`)
    if (m.status === 'running') {
      li.setAttribute('aria-busy', 'true')
      li.append(el('p', 'thinking', `/${m.command} is thinking`))
    } else {
      if (m.status !== 'ok') meta.append(el('span', 'badge', m.status === 'timeout' ? 'timed out' : 'failed'))
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

/** Adds or replaces a message, keeping the list ordered by id (oldest at the top). */
function upsert(m) {
  if (m.id <= clearedUpTo) return
  const stick = nearBottom()
  const li = render(m)
  const existing = shown.get(m.id)
  if (existing) {
    existing.replaceWith(li)
  } else {
    let next = null
    for (const [id, node] of shown) if (id > m.id && (next === null || id < Number(next.dataset.id))) next = node
    list.insertBefore(li, next)
  }
  shown.set(m.id, li)
  if (oldestId === null || m.id < oldestId) oldestId = m.id
  emptyNote.hidden = shown.size > 0
  if (stick) scroller.scrollTop = scroller.scrollHeight
}

async function getJson(url, options) {
  const response = await fetch(url, options)
  let body = {}
  try {
    body = await response.json()
  } catch {
    // no JSON body
  }
  return { response, body }
}

async function loadLatest() {
  const { response, body } = await getJson('/api/messages?limit=50')
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`)
  for (const m of body.messages.slice().reverse()) upsert(m)
  olderButton.hidden = body.nextBefore === null && clearedUpTo === 0
  emptyNote.hidden = shown.size > 0
}

async function loadOlder() {
  if (clearedUpTo > 0) {
    // Asking for older messages undoes /clear.
    clearedUpTo = 0
    localStorage.removeItem('chat.clearedUpTo')
  }
  const before = oldestId === null ? '' : `&before=${oldestId}`
  const { response, body } = await getJson(`/api/messages?limit=50${before}`)
  if (!response.ok) return showError(body.error || `HTTP ${response.status}`)
  const height = scroller.scrollHeight
  for (const m of body.messages) upsert(m)
  scroller.scrollTop += scroller.scrollHeight - height // keep the view where it was
  olderButton.hidden = body.nextBefore === null
}

function clearScreen() {
  clearedUpTo = Math.max(0, ...shown.keys())
  localStorage.setItem('chat.clearedUpTo', String(clearedUpTo))
  list.replaceChildren()
  shown.clear()
  oldestId = null
  olderButton.hidden = false
  emptyNote.hidden = false
}

function showError(text) {
  errorLine.textContent = text
}

async function send(text) {
  sendButton.disabled = true
  showError('')
  try {
    const { response, body } = await getJson('/api/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    })
    if (response.ok) {
      lastSent = text
      input.value = ''
      grow()
      if (body.clear) clearScreen()
      else if (body.message) upsert(body.message)
      scroller.scrollTop = scroller.scrollHeight
    } else {
      const who = body.pod ? ` (pod ${body.pod} on node ${body.node})` : ''
      showError(`${body.error || `HTTP ${response.status}`}${who}`)
    }
  } catch (error) {
    showError(`Could not reach the server: ${error.message}`)
  } finally {
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
  if (text.trim() === '') return showError('Type a message first.')
  void send(text)
})
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault()
    form.requestSubmit()
  } else if (event.key === 'ArrowUp' && input.value === '' && lastSent) {
    event.preventDefault()
    input.value = lastSent
    grow()
  } else if (event.key === 'Escape') {
    showError('')
  }
})
input.addEventListener('input', grow)
olderButton.addEventListener('click', () => void loadOlder())

function setStatus(state, text) {
  statusLine.dataset.state = state
  statusLine.textContent = text
}

function connect() {
  const events = new EventSource('/api/events')
  let lost = false
  events.addEventListener('hello', (event) => {
    const hello = JSON.parse(event.data)
    setStatus('live', `live · this page is served by pod ${hello.pod} on node ${hello.node}`)
    // After a reconnect, fetch what was said while we were away.
    if (lost) void loadLatest().catch(() => {})
    lost = false
  })
  events.addEventListener('message', (event) => upsert(JSON.parse(event.data)))
  events.addEventListener('update', (event) => upsert(JSON.parse(event.data)))
  events.addEventListener('error', () => {
    lost = true
    setStatus('offline', 'reconnecting…')
  })
}

async function init() {
  try {
    const { body } = await getJson('/api/info')
    if (body.maxMessageLength) input.maxLength = body.maxMessageLength
  } catch {
    // the defaults will do
  }
  connect()
  try {
    await loadLatest()
  } catch (error) {
    showError(`Could not load messages: ${error.message}`)
  }
  input.focus()
}

void init()
