/**
 * curl as its man page documents it: -f makes HTTP errors exit 22, --max-time and --connect-timeout
 * bound the wait (exit 28), an unknown host is 6, a refused connection 7, a self-signed certificate
 * without -k is 60. Without a time limit a dropped connection waits for the kernel (~130 s).
 */
import type { Request } from './network.ts'
import type { Ctx } from './runtime.ts'
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import process from 'node:process'
import { resolveName } from './hosts.ts'
import { connect } from './network.ts'
import { Exit, has, parseFlags, value } from './runtime.ts'

const SPEC = {
  withValue: ['-o', '--output', '-w', '--write-out', '-H', '--header', '-d', '--data', '--data-binary', '--data-raw', '-X', '--request', '-m', '--max-time', '--connect-timeout', '-A', '--user-agent', '--retry', '--retry-delay'],
  boolean: ['-s', '--silent', '-S', '--show-error', '-f', '--fail', '-L', '--location', '-k', '--insecure', '-I', '--head', '-i', '--include', '--fail-with-body', '-4', '--compressed', '-N', '--no-buffer'],
}
/** Linux gives up a TCP connect after ~127 s of SYN retries (tcp_syn_retries=6). */
const KERNEL_CONNECT_TIMEOUT = 130

const INSTALLERS: Record<string, string> = {
  'https://get.k3s.io': 'k3s-installer',
  'https://tailscale.com/install.sh': 'tailscale-installer',
}

export function curl(ctx: Ctx): void {
  const p = parseFlags(ctx.argv, SPEC, flag => ctx.reject(`curl: option ${flag.replace(/ \(needs a value\)$/, '')}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information`, 2))
  const silent = has(p, '-s', '--silent')
  const showError = has(p, '-S', '--show-error') || !silent
  const fail = has(p, '-f', '--fail')
  const error = (code: number, message: string): never => {
    if (showError)
      ctx.err(`curl: (${code}) ${message}\n`)
    throw new Exit(code)
  }
  const [rawUrl] = p.positional
  if (!rawUrl)
    ctx.fail('curl: no URL specified\ncurl: try \'curl --help\' or \'curl --manual\' for more information', 2)
  if (p.positional.length > 1)
    ctx.reject(`phone-sim: curl with several URLs is not modelled (${p.positional.join(' ')})`, 64)
  const url = new URL(/^[a-z]+:\/\//.test(rawUrl) ? rawUrl : `http://${rawUrl}`)
  const scheme = url.protocol === 'https:' ? 'https' : 'http'
  const port = Number(url.port || (scheme === 'https' ? 443 : 80))
  const maxTime = Number(value(p, '-m', '--max-time') ?? Infinity)
  const connectTimeout = Number(value(p, '--connect-timeout') ?? Infinity)
  let body = value(p, '-d', '--data', '--data-binary', '--data-raw') ?? ''
  if (body.startsWith('@') && value(p, '--data-raw') === undefined)
    body = body === '@-' ? ctx.stdin() : readFileSync(resolve(ctx.cwd, body.slice(1)), 'utf8')
  const method = value(p, '-X', '--request') ?? (has(p, '-I', '--head') ? 'HEAD' : p.flags['-d'] || p.flags['--data'] || p.flags['--data-binary'] || p.flags['--data-raw'] ? 'POST' : 'GET')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const ip = resolveName(ctx.world, ctx.host, host)
  if (!ip) {
    ctx.advance(0.1)
    error(6, `Could not resolve host: ${host}`)
  }
  let bodyOut: string
  let status: number
  const installer = INSTALLERS[`${url.origin}${url.pathname === '/' ? '' : url.pathname}`]
  const endpoint = connect(ctx.world, ctx.host, ip!, port)
  if (endpoint.kind === 'dropped') {
    const limit = Math.min(maxTime, connectTimeout, KERNEL_CONNECT_TIMEOUT)
    ctx.advance(limit)
    if (limit === maxTime)
      error(28, `Connection timed out after ${Math.round(limit * 1000) + 1} milliseconds`)
    if (limit === connectTimeout)
      error(28, `Failed to connect to ${host} port ${port} after ${Math.round(limit * 1000) + 2} ms: Timeout was reached`)
    error(28, `Failed to connect to ${host} port ${port} after ${KERNEL_CONNECT_TIMEOUT * 1000 + 3923} ms: Couldn't connect to server`)
  }
  if (endpoint.kind === 'refused') {
    ctx.advance(0.01)
    error(7, `Failed to connect to ${host} port ${port} after 0 ms: Couldn't connect to server`)
  }
  if (endpoint.kind !== 'answer')
    throw new Error('unreachable')
  if (scheme === 'https' && endpoint.tls === 'self-signed' && !has(p, '-k', '--insecure')) {
    error(60, 'SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html')
  }
  if (scheme === 'http' && endpoint.tls) {
    status = 400
    bodyOut = 'Client sent an HTTP request to an HTTPS server.\n'
  }
  else if (installer) {
    status = 200
    bodyOut = `#!/bin/sh\n# (simulated ${url.host} installer)\nexec '${process.env.SIM_LAUNCHER}' ${installer} "$@"\n`
  }
  else {
    const headers: Record<string, string> = {}
    for (const h of [...(p.flags['-H'] ?? []), ...(p.flags['--header'] ?? [])]) {
      const i = h.indexOf(':')
      if (i > 0)
        headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim()
    }
    const req: Request = { method, scheme, hostHeader: url.host, path: url.pathname, query: url.searchParams, headers, body }
    const res = endpoint.handle(req)
    const seconds = res.seconds ?? 0.05
    if (seconds > maxTime) {
      ctx.advance(maxTime)
      error(28, `Operation timed out after ${Math.round(maxTime * 1000) + 1} milliseconds with 0 bytes received`)
    }
    ctx.advance(seconds)
    status = res.status
    bodyOut = res.body
  }
  if (fail && status >= 400)
    error(22, `The requested URL returned error: ${status}`)
  const writeOut = (value(p, '-w', '--write-out') ?? '').replaceAll('%{http_code}', String(status)).replaceAll('\\n', '\n')
  const output = value(p, '-o', '--output')
  if (output && output !== '/dev/null')
    writeFileSync(resolve(ctx.cwd, output), bodyOut)
  else if (!output && method !== 'HEAD')
    ctx.out(bodyOut)
  ctx.out(writeOut)
}
