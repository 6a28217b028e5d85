// A fake curl for the chat-demo script tests. Answers come from $STUB_SANDBOX/http.json, keyed by
// URL: { "http://…": { status, body } } — or { refused: true } for "connection refused", or
// { whenFile: "name", then: {…}, else: {…} } to answer differently once the sandbox file exists
// (the forwarder's socat stub creates one). Unknown URLs are refused, like a port nobody serves.
// Understands the flags the scripts use: -f -s -S -w FORMAT --max-time N -H -d --data-binary (@-
// reads stdin) -X. Request bodies are appended to $STUB_SANDBOX/http-requests.log as "URL BODY".
import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const sandbox = process.env.STUB_SANDBOX
const routes = existsSync(join(sandbox, 'http.json')) ? JSON.parse(readFileSync(join(sandbox, 'http.json'), 'utf8')) : {}
const args = process.argv.slice(2)

let fail = false
let silent = false
let showErrors = false
let writeOut = ''
let url
let body
const takesValue = new Set(['-w', '--max-time', '-H', '-d', '--data', '--data-binary', '-X', '-o'])
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (takesValue.has(a)) {
    const value = args[++i]
    if (a === '-w') writeOut = value.replaceAll('\\n', '\n')
    if (a === '-d' || a === '--data' || a === '--data-binary') body = value === '@-' ? readFileSync(0, 'utf8') : value
  } else if (/^-[a-zA-Z]+$/.test(a)) {
    fail ||= a.includes('f')
    silent ||= a.includes('s')
    showErrors ||= a.includes('S')
  } else if (a.startsWith('http://') || a.startsWith('https://')) url = a
  else {
    process.stderr.write(`fake curl: unsupported argument ${a}\n`)
    process.exit(64)
  }
}
if (!url) {
  process.stderr.write('curl: no URL specified\n')
  process.exit(2)
}
if (body !== undefined) appendFileSync(join(sandbox, 'http-requests.log'), `${url} ${body}\n`)

let answer = routes[url] ?? { refused: true }
if (answer.whenFile) answer = existsSync(join(sandbox, answer.whenFile)) ? answer.then : answer.else
const error = (code, message) => {
  if (!silent || showErrors) process.stderr.write(`curl: (${code}) ${message}\n`)
  process.exit(code)
}
if (answer.refused) {
  const { hostname, port } = new URL(url)
  error(7, `Failed to connect to ${hostname} port ${port} after 0 ms: Couldn't connect to server`)
}
if (fail && answer.status >= 400) error(22, `The requested URL returned error: ${answer.status}`)
const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)
process.stdout.write(text + writeOut)
