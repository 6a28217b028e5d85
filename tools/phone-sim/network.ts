/**
 * Who answers a TCP connection to host:port, seen from one machine: the VM's own services (loopback
 * or all interfaces), Android behind the VM's gateway (the AI app), other machines over the tailnet
 * (only what the policy allows; a sleeping phone or a dropped packet is a timeout, not a refusal),
 * ClusterIPs (only from a cluster node), ServiceLB ports, hostNetwork pods and socat forwarders.
 */
import type { Forwarder, Host, KObject, World } from './world.ts'
import process from 'node:process'
import { endpoints, find, hostOfNode, isReady, loadBalancerNodes, overlayWorks, pods, podSpec } from './cluster.ts'
import { onTailnet, policyAllows, PUBLIC_HOSTS, tailnetIp } from './hosts.ts'
import { EPOCH_MS } from './world.ts'

export interface Request {
  method: string
  scheme: 'http' | 'https'
  hostHeader: string
  path: string
  query: URLSearchParams
  headers: Record<string, string>
  body: string
}

export interface Response {
  status: number
  body: string
  contentType?: string
  /** simulated seconds the server takes to answer */
  seconds?: number
}

export type Endpoint
  = | { kind: 'refused' }
    | { kind: 'dropped' }
    | { kind: 'answer', handle: (req: Request) => Response, tls?: 'self-signed' | 'public' }

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  }
  catch {
    return false
  }
}

/** Live listening sockets of a host, as ss shows them. */
export function listeners(world: World, host: Host): Array<{ proto: 'tcp' | 'udp', address: string, port: number, process: string }> {
  const out: Array<{ proto: 'tcp' | 'udp', address: string, port: number, process: string }> = []
  const k3s = host.k3s
  if (k3s && (k3s.unit.state === 'active' || k3s.unit.state === 'activating')) {
    if (k3s.role === 'server')
      out.push({ proto: 'tcp', address: '*', port: 6443, process: 'k3s-server' })
    out.push({ proto: 'tcp', address: '*', port: 10250, process: k3s.role === 'server' ? 'k3s-server' : 'k3s-agent' })
    out.push({ proto: 'tcp', address: '127.0.0.1', port: 10248, process: k3s.role === 'server' ? 'k3s-server' : 'k3s-agent' })
    out.push({ proto: 'udp', address: '0.0.0.0', port: 8472, process: 'kernel (flannel.1)' })
  }
  for (const f of host.forwarders) {
    if (isAlive(f.pid))
      out.push({ proto: f.proto, address: f.bindAddress, port: f.port, process: `socat pid=${f.pid}` })
  }
  for (const { port, address, pod } of hostNetworkPorts(world, host)) out.push({ proto: 'tcp', address, port, process: pod.metadata.name })
  return out
}

/** Ports that hostNetwork pods on this host listen on, with their bind address. */
function hostNetworkPorts(world: World, host: Host): Array<{ port: number, address: string, pod: KObject, container: string }> {
  if (!world.cluster || !host.k3s)
    return []
  const out: Array<{ port: number, address: string, pod: KObject, container: string }> = []
  for (const pod of pods(world.cluster)) {
    const spec = podSpec(pod)
    if (!spec.hostNetwork || spec.nodeName !== host.k3s.nodeName || pod.status?.phase !== 'Running' || (pod.sim?.goneAt !== undefined && (pod.sim.goneAt as number) <= world.now))
      continue
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const args = ((c as { args?: string[] }).args ?? []).join(' ')
      const env = Object.fromEntries(((c as { env?: Array<{ name: string, value?: string }> }).env ?? []).map(e => [e.name, e.value ?? '']))
      if (c.image.startsWith('rqlite/')) {
        for (const m of args.matchAll(/-(?:http|raft)-addr=([\d.]+):(\d+)/g)) out.push({ port: Number(m[2]), address: m[1], pod, container: c.name })
      }
      else {
        const port = Number(env.PORT ?? c.ports?.[0]?.containerPort)
        if (port)
          out.push({ port, address: '*', pod, container: c.name })
        if (env.AUDIENCE_PORT)
          out.push({ port: Number(env.AUDIENCE_PORT), address: env.AUDIENCE_HOST ?? '127.0.0.1', pod, container: c.name })
      }
    }
  }
  return out
}

const loopback = (ip: string) => ip.startsWith('127.')

/** The machine an address belongs to, from `from`'s point of view. */
function machineAt(world: World, from: Host, ip: string): Host | 'android' | 'internet' | 'cluster-ip' | null {
  if (loopback(ip) || ip === from.lan.ip)
    return from
  if (ip === from.lan.gateway)
    return 'android'
  if (ip.startsWith('10.43.'))
    return 'cluster-ip'
  const device = world.tailnet.devices.find(d => d.ip === ip)
  if (device)
    return world.hosts[device.host] ?? null
  if (Object.values(PUBLIC_HOSTS).includes(ip))
    return 'internet'
  return null
}

/** Connects from `from` to ip:port. */
export function connect(world: World, from: Host, ip: string, port: number, depth = 0): Endpoint {
  if (depth > 3)
    return { kind: 'refused' }
  const at = machineAt(world, from, ip)
  if (at === null)
    return { kind: 'dropped' }
  if (at === 'internet')
    return world.networkSlowdown > 50 ? { kind: 'dropped' } : { kind: 'answer', handle: () => ({ status: 200, body: '' }), tls: 'public' }
  if (at === 'android') {
    const ai = from.aiApp
    if (port === 8005 && ai?.running)
      return { kind: 'answer', handle: req => aiApp(from, req) }
    return { kind: 'refused' }
  }
  if (at === 'cluster-ip') {
    if (!world.cluster || !from.k3s || from.k3s.unit.state !== 'active')
      return { kind: 'dropped' }
    const svc = world.cluster.objects.find(o => o.kind === 'Service' && (o.spec as { clusterIP?: string }).clusterIP === ip)
    if (!svc)
      return { kind: 'dropped' }
    const svcPort = (svc.spec as { ports: Array<{ port: number, targetPort?: number | string }> }).ports.find(p => p.port === port)
    if (!svcPort)
      return { kind: 'dropped' }
    return toEndpoints(world, from.k3s.nodeName, svc)
  }
  const target = at
  if (target !== from) {
    const fromIp = tailnetIp(world, from)
    if (!target.awake || !fromIp || !onTailnet(world, target) || !policyAllows(world, 'tcp', port))
      return { kind: 'dropped' }
  }
  const viaLoopback = loopback(ip)
  for (const l of listeners(world, target)) {
    if (l.proto !== 'tcp' || l.port !== port)
      continue
    if (l.address === '127.0.0.1' && !viaLoopback)
      continue
    if (l.process.startsWith('socat')) {
      const f = target.forwarders.find(x => `socat pid=${x.pid}` === l.process)!
      return forward(world, target, f, depth)
    }
    if (port === 6443)
      return { kind: 'answer', handle: k3sApi, tls: 'self-signed' }
    if (port === 10250 || port === 10248)
      return { kind: 'answer', handle: () => ({ status: 401, body: 'Unauthorized' }), tls: port === 10250 ? 'self-signed' : undefined }
    const hn = hostNetworkPorts(world, target).find(h => h.port === port)
    if (hn)
      return { kind: 'answer', handle: req => podApp(world, hn.pod, req, hn.container) }
  }
  // ServiceLB: DNAT on the node's addresses (not a listening socket) to a ready pod anywhere in the cluster.
  if (world.cluster && target.k3s) {
    for (const svc of world.cluster.objects.filter(o => o.kind === 'Service' && (o.spec as { type?: string }).type === 'LoadBalancer')) {
      if (!(svc.spec as { ports: Array<{ port: number }> }).ports.some(p => p.port === port))
        continue
      if (!loadBalancerNodes(world, svc).some(n => n.metadata.name === target.k3s!.nodeName))
        continue
      return toEndpoints(world, target.k3s.nodeName, svc)
    }
  }
  return { kind: 'refused' }
}

function forward(world: World, host: Host, f: Forwarder, depth: number): Endpoint {
  const [ip, port] = f.target.split(':')
  return connect(world, host, ip, Number(port), depth + 1)
}

let roundRobin = 0
/** A new program starts counting again (the resident process answers many). */
export function resetRoundRobin(): void {
  roundRobin = 0
}

function toEndpoints(world: World, fromNode: string, svc: KObject): Endpoint {
  const ready = endpoints(world, svc)
  if (ready.length === 0)
    return { kind: 'refused' }
  const pick = ready[(world.seq + roundRobin++) % ready.length]
  world.seq++
  if (!overlayWorks(world, fromNode, podSpec(pick).nodeName!))
    return { kind: 'dropped' }
  return { kind: 'answer', handle: req => podApp(world, pick, req, podSpec(pick).containers[0].name) }
}

function k3sApi(req: Request): Response {
  if (req.path === '/ping')
    return { status: 200, body: 'pong' }
  return { status: 401, body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }), contentType: 'application/json' }
}

function json(status: number, body: unknown, seconds = 0.05): Response {
  return { status, body: JSON.stringify(body), contentType: 'application/json', seconds }
}

/** The apps the manifests run, answering as they do. */
function podApp(world: World, pod: KObject, req: Request, container: string): Response {
  const spec = podSpec(pod)
  const image = [...(spec.initContainers ?? []), ...spec.containers].find(c => c.name === container)?.image ?? ''
  if (image.startsWith('ealen/echo-server'))
    return echoServer(pod, req)
  if (image.includes('k3s-on-phone-chat'))
    return chatApp(world, pod, req)
  return { status: 404, body: '404 page not found\n' }
}

function echoServer(pod: KObject, req: Request): Response {
  const env: Record<string, string> = { HOSTNAME: pod.metadata.name, POD_NAME: pod.metadata.name, NODE_NAME: podSpec(pod).nodeName ?? '', PORT: '80' }
  const wanted = req.query.get('echo_env_body')
  if (wanted)
    return json(200, env[wanted] ?? null)
  const code = req.query.get('echo_code')
  return json(code ? Number(code) : 200, {
    host: { hostname: req.hostHeader, ip: '::ffff:10.42.0.1', ips: [] },
    http: { method: req.method, baseUrl: '', originalUrl: `${req.path}${req.query.size ? `?${req.query}` : ''}`, protocol: 'http' },
    request: { params: { 0: req.path }, query: Object.fromEntries(req.query), cookies: {}, body: {}, headers: { 'host': req.hostHeader, 'user-agent': 'curl/8.14.1', 'accept': '*/*', ...req.headers } },
    environment: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env, NODE_VERSION: '20.11.1', HOME: '/root' },
  })
}

/**
 * The chat app as chat-demo/app/src/routes.ts and chat.ts answer: the page at /, health, info, and
 * POST /api/messages, whose slash commands come from the ConfigMap the pod mounts (commands.conf:
 * a command there replaces the built-in of that name, as /whoami does), and are answered at once
 * with status "running" unless ?wait=1. Errors are {error, pod, node} with the app's status codes.
 * Only the ConfigMap commands a test needs are modelled (echo "…$VAR…" lines and ai-status); any
 * other throws, so a test that reaches one fails instead of getting a made-up answer.
 */
function chatApp(world: World, pod: KObject, req: Request): Response {
  const spec = podSpec(pod)
  const who = { pod: pod.metadata.name, node: spec.nodeName }
  const fail = (status: number, error: string) => json(status, { error, ...who })
  const ready = isReady(pod)
  const chat = spec.containers.find(c => c.image.includes('k3s-on-phone-chat'))!
  const env: Record<string, string> = { POD_NAME: who.pod, NODE_NAME: who.node ?? '', LLM_URL: 'http://127.0.0.1:8005', LLM_MODEL: 'GEMMA_3_1B_IT' }
  for (const e of (chat as { env?: Array<{ name: string, value?: string }> }).env ?? []) {
    if (e.value !== undefined)
      env[e.name] = e.value
  }
  if (req.method === 'GET' && req.path === '/')
    return { status: 200, body: '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Chat</title></head><body><main id="app"></main><script src="/app.js"></script></body></html>\n', contentType: 'text/html; charset=utf-8', seconds: 0.02 }
  if (req.path === '/api/healthz')
    return json(200, { status: 'ok', ...who })
  if (req.path === '/api/readyz')
    return ready ? json(200, { status: 'ready', store: 'rqlite', ...who }) : json(503, { status: 'not ready', reason: 'rqlite store not started yet', ...who })
  const file = chatCommands(world, pod)
  const builtins = ['help', 'whoami', 'clear', 'llm']
  const names = [...new Set([...builtins, ...file.keys()])].sort()
  if (req.method === 'GET' && req.path === '/api/info')
    return json(200, { name: 'chat', version: '1.0.0', ...who, store: 'rqlite', llmUrl: env.LLM_URL, llmModel: env.LLM_MODEL, commands: names, maxMessageLength: 2000 })
  if (req.method !== 'POST' || req.path !== '/api/messages')
    return fail(404, `no such route: ${req.method} ${req.path}`)
  let text: unknown
  try {
    text = (JSON.parse(req.body) as { text?: unknown }).text
  }
  catch { /* below */ }
  if (typeof text !== 'string')
    return fail(400, 'body must be JSON like {"text": "hello"}')
  if (text.trim() === '')
    return fail(400, 'message is empty')
  if (!ready)
    return fail(503, 'store unavailable: not started yet')
  const wait = ['1', 'true'].includes(req.query.get('wait') ?? '')
  const at = () => new Date(EPOCH_MS + world.now * 1000).toISOString()
  const stored = (command: string | null, status: string | null, output: string | null, seconds = 0.05) =>
    json(201, { message: { id: world.seq++, text, createdAt: at(), pod: who.pod, node: who.node, command, status, output, finishedAt: status === 'running' || status === null ? null : at() }, ...who }, seconds)
  const m = /^\/(\S*)(?:\s([\s\S]*))?$/.exec(text)
  if (!text.startsWith('/') || !m)
    return stored(null, null, null)
  const [, name, arg = ''] = m
  if (name === 'clear')
    return json(200, { clear: true, note: 'Only your screen is cleared; the messages stay stored.', ...who })
  if (name === 'help')
    return stored('help', 'ok', ['Built in:', ...builtins.filter(b => !file.has(b)).map(b => `  /${b}`), 'From commands.conf:', ...[...file.keys()].map(c => `  /${c}`)].join('\n'))
  const line = file.get(name)
  if (!line && name === 'whoami')
    return stored('whoami', 'ok', `pod ${who.pod} on node ${who.node} (chat 1.0.0, rqlite store)`)
  if (!line && name !== 'llm')
    return stored(name.slice(0, 40), 'error', `${name === '' ? 'A command needs a name after the slash.' : `Unknown command /${name.slice(0, 40)}.`} Commands: ${names.map(n => `/${n}`).join(' ')} — /help says what they do.`)
  if (!wait)
    return stored(name, 'running', null)
  // The command runs with /bin/sh -c, its environment ARG, POD_NAME, NODE_NAME, LLM_URL, LLM_MODEL.
  const echo = line ? /^echo "((?:[^"$\\]|\$[A-Z_])*)"$/.exec(line) : null
  if (echo)
    return stored(name, 'ok', `${echo[1].replace(/\$([A-Z_]+)/g, (_, v: string) => ({ ...env, ARG: arg })[v] ?? '')}\n`)
  if (line?.startsWith('curl -sS --max-time 10 "$LLM_URL/status"')) {
    const noAnswer = `No answer from the AI app at ${env.LLM_URL} — is it running on the phone labelled llm=true?\n[exit code 1]`
    const host = hostOfNode(world, who.node ?? '')
    const url = new URL(env.LLM_URL)
    const ai = host ? connect(world, host, url.hostname, Number(url.port || 80)) : ({ kind: 'refused' } as const)
    if (ai.kind === 'dropped')
      return stored(name, 'error', noAnswer, 10)
    if (ai.kind !== 'answer')
      return stored(name, 'error', noAnswer)
    const status = JSON.parse(ai.handle({ method: 'GET', scheme: 'http', hostHeader: url.host, path: '/status', query: new URLSearchParams(), headers: {}, body: '' }).body) as { server: string, version: string, status: string, features?: Record<string, unknown> }
    return stored(name, 'ok', `${status.server} ${status.version}: ${status.status}, features: ${Object.entries(status.features ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}\n`)
  }
  throw new Error(`phone-sim: the chat's command /${name} (${line ?? 'built in'}) is not modelled`)
}

/** The commands of the ConfigMap mounted at /etc/chat (commands.conf): name → shell line. */
function chatCommands(world: World, pod: KObject): Map<string, string> {
  const volumes = (podSpec(pod).volumes ?? []) as Array<{ configMap?: { name: string } }>
  const name = volumes.find(v => v.configMap)?.configMap?.name
  const cm = name && world.cluster ? find(world.cluster, 'ConfigMap', name, pod.metadata.namespace) : undefined
  const commands = new Map<string, string>()
  for (const line of (cm?.data?.['commands.conf'] ?? '').split('\n')) {
    const m = /^([a-z0-9][a-z0-9_-]*)=(.+)$/.exec(line.trim())
    if (m)
      commands.set(m[1], m[2])
  }
  return commands
}

/** The phone's AI app on Android (github.com/parttimenerd/local-android-ai), port 8005. */
function aiApp(host: Host, req: Request): Response {
  const ai = host.aiApp!
  if (req.path === '/health')
    return json(200, { status: 'healthy', server: 'local-android-ai', version: '1.2.0' })
  if (req.path === '/status')
    return json(200, { server: 'local-android-ai', version: '1.2.0', status: 'running', features: { camera: true, llm: true } })
  if (req.path === '/ai/models')
    return json(200, { models: ai.models.map(m => ({ name: m.name, available: m.available, currentlyLoaded: m.loaded })) })
  return json(404, { error: 'Not found', code: 'NOT_FOUND' })
}
