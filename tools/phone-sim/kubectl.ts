/**
 * kubectl (k3s's own, `k3s kubectl`, on a phone; a plain kubectl on the laptop) against the simulated
 * API server: which kubeconfig it reads and whether it may, whether the server is reachable and its
 * certificate names the address, then get/apply/delete/rollout/wait/scale/label with the output,
 * errors and exit codes kubectl documents. A flag or subcommand it doesn't know is rejected.
 */
import type { Ctx, Parsed } from './runtime.ts'
import type { Host, KObject } from './world.ts'
import { Buffer } from 'node:buffer'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { bump, canReach, create, find, hostOfNode, NAMESPACED, pods, podSpec, reconcile, remove, terminate } from './cluster.ts'
import { resolveName } from './hosts.ts'
import { jsonpath } from './jsonpath.ts'
import { Exit, parseDuration, parseFlags, value } from './runtime.ts'
import { EPOCH_MS } from './world.ts'

export const K3S_KUBECONFIG = '/etc/rancher/k3s/k3s.yaml'

const KINDS: Record<string, { kind: string, plural: string, group: string }> = {}
for (const [kind, plural, group, ...aliases] of [
  ['Node', 'nodes', '', 'node', 'no'],
  ['Pod', 'pods', '', 'pod', 'po'],
  ['Deployment', 'deployments', 'apps', 'deployment', 'deploy'],
  ['Service', 'services', '', 'service', 'svc'],
  ['ConfigMap', 'configmaps', '', 'configmap', 'cm'],
  ['PersistentVolumeClaim', 'persistentvolumeclaims', '', 'persistentvolumeclaim', 'pvc'],
  ['PersistentVolume', 'persistentvolumes', '', 'persistentvolume', 'pv'],
  ['Event', 'events', '', 'event', 'ev'],
  ['Namespace', 'namespaces', '', 'namespace', 'ns'],
]) {
  for (const alias of [plural, ...aliases, `${plural}.${group}`]) KINDS[alias] = { kind, plural, group }
}
const info = (kind: string) => Object.values(KINDS).find(k => k.kind === kind)!
function qualified(kind: string) {
  const k = info(kind)
  return k.group ? `${k.plural}.${k.group}` : k.plural
}
const typeName = (obj: KObject) => `${info(obj.kind).group ? `${obj.kind.toLowerCase()}.${info(obj.kind).group}` : obj.kind.toLowerCase()}/${obj.metadata.name}`

const GLOBAL = { withValue: ['--kubeconfig', '--request-timeout', '-n', '--namespace', '--context'], boolean: ['-A', '--all-namespaces'] }

const SPECS: Record<string, { withValue: string[], boolean: string[] }> = {
  get: { withValue: ['-o', '--output', '-l', '--selector', '--field-selector', '--sort-by', '-L', '--label-columns', '--raw', '--chunk-size'], boolean: ['-w', '--watch', '--output-watch-events', '--no-headers', '--show-labels', '--ignore-not-found', '--watch-only'] },
  apply: { withValue: ['-f', '--filename', '--field-manager'], boolean: ['--server-side', '--dry-run', '-R', '--recursive'] },
  delete: { withValue: ['-f', '--filename', '-l', '--selector', '--grace-period', '--timeout', '--wait'], boolean: ['--ignore-not-found', '--now', '--force'] },
  scale: { withValue: ['--replicas', '-l', '--selector', '--timeout'], boolean: [] },
  label: { withValue: ['-l', '--selector'], boolean: ['--overwrite', '--all'] },
  wait: { withValue: ['--for', '--timeout', '-l', '--selector'], boolean: ['--all'] },
  rollout: { withValue: ['--timeout', '--revision'], boolean: ['-w', '--watch'] },
  describe: { withValue: ['-l', '--selector'], boolean: [] },
  logs: { withValue: ['-c', '--container', '--tail', '--since', '-l', '--selector'], boolean: ['-f', '--follow', '--previous', '-p', '--all-containers'] },
}

function reject(ctx: Ctx, sub: string, flag: string): never {
  ctx.reject(`error: unknown flag: ${flag.replace(/ \(needs a value\)$/, '')}\nSee 'kubectl ${sub} --help' for usage.`, 1)
}

/** Which kubeconfig kubectl reads, as k3s's kubectl and plain kubectl decide. */
function kubeconfigPath(ctx: Ctx, explicit: string | undefined): string | null {
  if (explicit)
    return explicit
  if (ctx.env.KUBECONFIG)
    return ctx.env.KUBECONFIG
  if (ctx.host.k3s && existsSync(join(ctx.sysroot, K3S_KUBECONFIG)))
    return join(ctx.sysroot, K3S_KUBECONFIG)
  const home = join(ctx.env.HOME ?? '/nonexistent', '.kube/config')
  return existsSync(home) ? home : null
}

/** The simulated user (droid) may read the file: root, its owner, the group it was written for, or anyone by mode. */
export function mayRead(ctx: Ctx, file: string): boolean {
  if (ctx.root)
    return true
  const meta = kubeconfigMeta(ctx, file)
  const mode = meta?.mode ?? statSync(file).mode & 0o777
  if (!meta)
    return true // a file the user wrote himself
  if (mode & 0o004)
    return true
  return (mode & 0o040) !== 0 && meta.group === ctx.host.user
}

function kubeconfigMeta(ctx: Ctx, file: string): { mode: number, group: string } | null {
  const k3s = ctx.host.k3s
  if (resolve(file) !== resolve(join(ctx.sysroot, K3S_KUBECONFIG)) || !k3s || k3s.role !== 'server')
    return null
  return { mode: k3s.kubeconfigMode ? Number.parseInt(k3s.kubeconfigMode, 8) : 0o600, group: k3s.kubeconfigGroup ?? 'root' }
}

function connectionRefused(ctx: Ctx, server: string): never {
  const hostPort = server.replace(/^https?:\/\//, '')
  const stamp = 'E1201 09:00:00.000000    4242 memcache.go:265]'
  ctx.fail(`${stamp} "Unhandled Error" err="couldn't get current server API group list: Get \\"${server}/api?timeout=32s\\": dial tcp ${hostPort}: connect: connection refused"\nThe connection to the server ${hostPort} was refused - did you specify the right host or port?`)
}

const tlsSans = (args: string[]) => args.flatMap((a, i) => (a === '--tls-san' ? [args[i + 1]] : a.startsWith('--tls-san=') ? [a.slice(10)] : []))

/** Connects to the API server the kubeconfig names; dies the way kubectl does when it can't. */
function connect(ctx: Ctx, p: Parsed): void {
  const world = ctx.world
  const path = kubeconfigPath(ctx, value(p, '--kubeconfig'))
  if (!path)
    connectionRefused(ctx, 'http://localhost:8080')
  if (!existsSync(path))
    ctx.fail(`error: error loading config file "${path}": open ${path}: no such file or directory`)
  const shown = path.startsWith(ctx.sysroot) ? path.slice(ctx.sysroot.length) : path
  if (!mayRead(ctx, path)) {
    ctx.fail(`error: error loading config file "${shown}": open ${shown}: permission denied`)
  }
  const text = readFileSync(path, 'utf8')
  const server = /^\s*server:\s*(\S+)/m.exec(text)?.[1]
  if (!server)
    ctx.fail(`error: error loading config file "${shown}": no server found`)
  const url = new URL(server)
  const port = Number(url.port || 443)
  const cluster = world.cluster
  const serverHost = cluster ? world.hosts[cluster.server] : undefined
  const timeout = Math.min(parseDuration(value(p, '--request-timeout') ?? '0') || 30, 30)
  const ip = resolveName(world, ctx.host, url.hostname)
  if (!ip)
    ctx.fail(`Unable to connect to the server: dial tcp: lookup ${url.hostname}: no such host`)
  let target: Host | undefined
  if (ip.startsWith('127.'))
    target = ctx.host
  else target = Object.values(world.hosts).find(h => h.lan.ip === ip || (h.tailscale.deviceId && world.tailnet.devices.find(d => d.id === h.tailscale.deviceId)?.ip === ip))
  if (!target || (target !== ctx.host && !canReach(world, ctx.host, target, 'tcp', port))) {
    ctx.advance(timeout)
    ctx.fail(`Unable to connect to the server: dial tcp ${ip}:${port}: i/o timeout`)
  }
  if (!serverHost || target !== serverHost || port !== 6443 || serverHost.k3s?.unit.state !== 'active')
    connectionRefused(ctx, `https://${url.hostname}:${port}`)
  const k3s = serverHost.k3s!
  const sans = ['127.0.0.1', '10.43.0.1', serverHost.lan.ip, ...(k3s.nodeIp ? [k3s.nodeIp] : []), 'localhost', 'kubernetes', ...tlsSans(k3s.args)]
  if (!sans.includes(url.hostname)) {
    ctx.fail(`Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for ${sans.filter(s => /^\d/.test(s)).join(', ')}, not ${url.hostname}`)
  }
  const credential = /client-key-data:\s*(\S+)/.exec(text)?.[1]
  if (credential !== clusterCredential(cluster!.token, cluster!.server, cluster!.ca))
    ctx.fail('error: You must be logged in to the server (Unauthorized)')
}

/** What the installer writes as the admin's key: unique to one install (its CA), so a stale kubeconfig is Unauthorized. */
export function clusterCredential(token: string, server: string, ca = ''): string {
  return Buffer.from(`sim-admin:${server}:${token}:${ca}`).toString('base64')
}

// --- output ---
function age(obj: KObject, now: number): string {
  const s = Math.max(0, Math.floor((EPOCH_MS + now * 1000 - Date.parse(obj.metadata.creationTimestamp)) / 1000))
  if (s < 120)
    return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 10)
    return s % 60 ? `${m}m${s % 60}s` : `${m}m`
  if (m < 180)
    return `${m}m`
  const h = Math.floor(m / 60)
  return h < 8 ? `${h}h${m % 60}m` : `${h}h`
}

function table(rows: string[][], headers: boolean): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => (r[i] ?? '').length)))
  return `${rows.slice(headers ? 0 : 1).map(r => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n')}\n`
}

export function podStatus(pod: KObject, now: number): string {
  if (pod.metadata.deletionTimestamp)
    return 'Terminating'
  const statuses = (pod.status?.containerStatuses ?? []) as Array<{ state: { waiting?: { reason: string } } }>
  const waiting = statuses.find(s => s.state.waiting)?.state.waiting?.reason
  if (!podSpec(pod).nodeName)
    return 'Pending'
  if (waiting)
    return pod.sim?.pullFailed && now - (pod.sim.scheduledAt as number) < 1 ? 'ContainerCreating' : waiting
  return String(pod.status?.phase ?? 'Pending')
}

function rowsFor(ctx: Ctx, kind: string, objs: KObject[], wide: boolean, labelColumns: string[], prefix: boolean, showNs: boolean): string[][] {
  const now = ctx.world.now
  const name = (o: KObject) => (prefix ? typeName(o) : o.metadata.name)
  const labelCells = (o: KObject) => labelColumns.map(l => o.metadata.labels?.[l] ?? '')
  const ns = (o: KObject) => (showNs ? [o.metadata.namespace ?? 'default'] : [])
  const head = (cols: string[]) => [...(showNs ? ['NAMESPACE'] : []), ...cols, ...labelColumns.map(l => l.toUpperCase())]
  switch (kind) {
    case 'Node':
      return [
        head(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', ...(wide ? ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'] : [])]),
        ...objs.map((o) => {
          const roles = Object.keys(o.metadata.labels ?? {}).filter(l => l.startsWith('node-role.kubernetes.io/')).map(l => l.slice(24)).sort().join(',') || '<none>'
          const conditions = o.status!.conditions as Array<{ status: string }>
          const st = o.status!.nodeInfo as Record<string, string>
          return [...ns(o), name(o), conditions[0].status === 'True' ? 'Ready' : 'NotReady', roles, age(o, now), st.kubeletVersion, ...(wide ? [(o.status!.addresses as Array<{ address: string }>)[0].address, '<none>', st.osImage, st.kernelVersion, st.containerRuntimeVersion] : []), ...labelCells(o)]
        }),
      ]
    case 'Pod':
      return [
        head(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(wide ? ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'] : [])]),
        ...objs.map((o) => {
          const cs = (o.status?.containerStatuses ?? []) as Array<{ ready: boolean }>
          const total = podSpec(o).containers.length + (podSpec(o).initContainers?.filter(c => c.restartPolicy === 'Always').length ?? 0)
          const ready = cs.filter(c => c.ready).length + (cs.length && cs.every(c => c.ready) ? (total - podSpec(o).containers.length) : 0)
          return [...ns(o), name(o), `${ready}/${total}`, podStatus(o, now), '0', age(o, now), ...(wide ? [String(o.status?.podIP ?? '<none>'), podSpec(o).nodeName ?? '<none>', '<none>', '<none>'] : []), ...labelCells(o)]
        }),
      ]
    case 'Deployment':
      return [
        head(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', ...(wide ? ['CONTAINERS', 'IMAGES', 'SELECTOR'] : [])]),
        ...objs.map((o) => {
          const st = (o.status ?? {}) as Record<string, number>
          const spec = o.spec as { replicas?: number, template: { spec: { containers: Array<{ name: string, image: string }> } }, selector: { matchLabels: Record<string, string> } }
          return [...ns(o), name(o), `${st.readyReplicas ?? 0}/${spec.replicas ?? 1}`, String(st.updatedReplicas ?? 0), String(st.availableReplicas ?? 0), age(o, now), ...(wide ? [spec.template.spec.containers.map(c => c.name).join(','), spec.template.spec.containers.map(c => c.image).join(','), Object.entries(spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',')] : []), ...labelCells(o)]
        }),
      ]
    case 'Service':
      return [
        head(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', ...(wide ? ['SELECTOR'] : [])]),
        ...objs.map((o) => {
          const spec = o.spec as { type?: string, clusterIP?: string, ports: Array<{ port: number, nodePort?: number, protocol?: string }>, selector?: Record<string, string> }
          const ingress = ((o.status as { loadBalancer?: { ingress?: Array<{ ip: string }> } })?.loadBalancer?.ingress ?? []).map(i => i.ip).join(',')
          const external = spec.type === 'LoadBalancer' ? ingress || '<pending>' : '<none>'
          const ports = spec.ports.map(p => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',')
          return [...ns(o), name(o), spec.type ?? 'ClusterIP', spec.clusterIP ?? '<none>', external, ports, age(o, now), ...(wide ? [Object.entries(spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'] : []), ...labelCells(o)]
        }),
      ]
    case 'Event':
      return [
        head(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']),
        ...objs.map((o) => {
          const io = o.involvedObject as { kind: string, name: string }
          const seen = Math.max(0, Math.floor(now - (Date.parse(String(o.lastTimestamp)) - EPOCH_MS) / 1000))
          return [...ns(o), `${seen}s`, String(o.type), String(o.reason), `${io.kind.toLowerCase()}/${io.name}`, String(o.message)]
        }),
      ]
    case 'PersistentVolumeClaim':
      return [
        head(['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']),
        ...objs.map((o) => {
          const spec = o.spec as { volumeName?: string, storageClassName?: string }
          const st = (o.status ?? {}) as { phase?: string, capacity?: { storage: string } }
          return [...ns(o), name(o), st.phase ?? 'Pending', spec.volumeName ?? '', st.capacity?.storage ?? '', spec.volumeName ? 'RWO' : '', spec.storageClassName ?? 'local-path', '<unset>', age(o, now)]
        }),
      ]
    default:
      return [head(['NAME', 'AGE']), ...objs.map(o => [...ns(o), name(o), age(o, now), ...labelCells(o)])]
  }
}

// --- selectors ---
function labelSelector(selector: string | undefined): (o: KObject) => boolean {
  if (!selector)
    return () => true
  const terms = selector.split(',').map(t => t.trim())
  return o => terms.every((t) => {
    const labels = o.metadata.labels ?? {}
    const notEqual = /^([^!=]+)!=(.*)$/.exec(t)
    if (notEqual)
      return labels[notEqual[1]] !== notEqual[2]
    const equal = /^([^=]+)==?(.*)$/.exec(t)
    if (equal)
      return labels[equal[1]] === equal[2]
    const absent = /^!(.+)$/.exec(t)
    if (absent)
      return !(absent[1] in labels)
    return t in labels
  })
}

function fieldSelector(ctx: Ctx, selector: string | undefined): (o: KObject) => boolean {
  if (!selector)
    return () => true
  const terms = selector.split(',').map((t) => {
    const m = /^([^!=]+)(!=|==|=)(.*)$/.exec(t)
    if (!m)
      ctx.fail(`error: invalid field selector: ${t}`)
    return { path: m[1], negate: m[2] === '!=', want: m[3] }
  })
  const field = (o: KObject, path: string): string => {
    if (o.kind === 'Pod' && path === 'status.phase')
      return String(o.status?.phase ?? 'Pending')
    if (o.kind === 'Pod' && path === 'spec.nodeName')
      return podSpec(o).nodeName ?? ''
    if (path === 'metadata.name')
      return o.metadata.name
    if (path === 'metadata.namespace')
      return o.metadata.namespace ?? 'default'
    if (o.kind === 'Event') {
      const io = o.involvedObject as Record<string, string>
      if (path.startsWith('involvedObject.'))
        return io[path.slice(15)] ?? ''
      if (['reason', 'type', 'source'].includes(path))
        return String(o[path])
    }
    ctx.fail(`Error from server (BadRequest): Unable to find "/v1, Resource=${info(o.kind).plural}" that match label selector "", field selector "${selector}": "${path}" is not a known field selector: only "metadata.name", "metadata.namespace"`)
  }
  return o => terms.every(t => (field(o, t.path) === t.want) !== t.negate)
}

function sortBy(objs: KObject[], path: string | undefined): KObject[] {
  if (!path)
    return objs
  const key = (o: KObject) => String(jsonpath(`{${path.replace(/^\{|\}$/g, '')}}`, o))
  return [...objs].sort((a, b) => key(a).localeCompare(key(b)))
}

// --- public view of objects (no bookkeeping) ---
export function view(obj: KObject): Record<string, unknown> {
  const { sim: _sim, ...rest } = obj
  return structuredClone(rest)
}

function resolveKind(ctx: Ctx, word: string): string {
  const k = KINDS[word.toLowerCase()]
  if (!k)
    ctx.fail(`error: the server doesn't have a resource type "${word}"`)
  return k.kind
}

function namespaceOf(p: Parsed): string {
  return value(p, '-n', '--namespace') ?? 'default'
}

// --- subcommands ---
function get(ctx: Ctx, p: Parsed): void {
  const world = ctx.world
  const cluster = world.cluster!
  const raw = value(p, '--raw')
  if (raw !== undefined)
    return getRaw(ctx, raw)
  const [what, ...names] = p.positional
  if (!what)
    ctx.fail('You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.')
  const allNs = p.flags['-A'] !== undefined || p.flags['--all-namespaces'] !== undefined
  const ns = namespaceOf(p)
  let kinds: string[]
  let wanted = names
  if (what.includes('/')) {
    kinds = [resolveKind(ctx, what.split('/')[0])]
    wanted = [what.split('/')[1], ...names]
  }
  else {
    kinds = what.split(',').map(w => resolveKind(ctx, w))
  }
  const output = value(p, '-o', '--output') ?? ''
  if (p.flags['-w'] || p.flags['--watch'])
    return watch(ctx, kinds[0], allNs, ns)
  const selector = labelSelector(value(p, '-l', '--selector'))
  const fields = fieldSelector(ctx, value(p, '--field-selector'))
  const found: KObject[] = []
  for (const kind of kinds) {
    const inScope = cluster.objects.filter(o => o.kind === kind && (!NAMESPACED.has(kind) || allNs || (o.metadata.namespace ?? 'default') === ns))
    if (wanted.length) {
      for (const n of wanted) {
        const o = inScope.find(x => x.metadata.name === n)
        if (!o) {
          if (p.flags['--ignore-not-found'])
            continue
          ctx.fail(`Error from server (NotFound): ${qualified(kind)} "${n}" not found`)
        }
        found.push(o)
      }
    }
    else {
      found.push(...sortBy(inScope.filter(selector).filter(fields), value(p, '--sort-by')))
    }
  }
  if (output.startsWith('jsonpath=') || output.startsWith('jsonpath-as-json=')) {
    const template = output.slice(output.indexOf('=') + 1)
    const data = wanted.length === 1 && kinds.length === 1 ? view(found[0]) : { apiVersion: 'v1', kind: 'List', items: found.map(view), metadata: { resourceVersion: '' } }
    try {
      ctx.out(jsonpath(template, data))
    }
    catch (error) {
      ctx.fail(`error: error executing jsonpath "${template}": Error executing template: ${(error as Error).message}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t${template}\n\tobject given to jsonpath engine was:\n\t\t${JSON.stringify(data)}\n`)
    }
    return
  }
  if (output === 'json') {
    const data = wanted.length === 1 && kinds.length === 1 ? view(found[0]) : { apiVersion: 'v1', kind: 'List', items: found.map(view), metadata: { resourceVersion: '' } }
    ctx.out(`${JSON.stringify(data, null, 4)}\n`)
    return
  }
  if (output === 'name') {
    ctx.out(found.map(o => `${typeName(o)}\n`).join(''))
    return
  }
  if (output && output !== 'wide')
    ctx.reject(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml`, 1)
  if (found.length === 0) {
    ctx.err(allNs || !NAMESPACED.has(kinds[0]) ? 'No resources found\n' : `No resources found in ${ns} namespace.\n`)
    return
  }
  const labelColumns = (p.flags['-L'] ?? p.flags['--label-columns'] ?? []).flatMap(l => l.split(','))
  const blocks = kinds.map(kind => found.filter(o => o.kind === kind)).filter(b => b.length)
  ctx.out(blocks.map(b => table(rowsFor(ctx, b[0].kind, b, output === 'wide', labelColumns, kinds.length > 1, allNs), !p.flags['--no-headers'])).join('\n'))
}

function getRaw(ctx: Ctx, path: string): void {
  const world = ctx.world
  if (path === '/readyz' || path === '/livez' || path === '/healthz')
    return ctx.out('ok')
  const m = /^\/api\/v1\/nodes\/([^/]+)\/proxy\/(healthz|configz)$/.exec(path)
  if (m) {
    const node = find(world.cluster!, 'Node', m[1])
    if (!node)
      ctx.fail(`Error from server (NotFound): nodes "${m[1]}" not found`)
    const target = hostOfNode(world, m[1])
    const server = world.hosts[world.cluster!.server]
    const ip = (node.status!.addresses as Array<{ address: string }>)[0].address
    if (!target || target.k3s?.unit.state !== 'active' || !canReach(world, server, target, 'tcp', 10250)) {
      ctx.advance(30)
      ctx.fail(`Error from server: Get "https://${ip}:10250/${m[2]}": dial tcp ${ip}:10250: i/o timeout`)
    }
    return ctx.out('ok')
  }
  ctx.reject(`phone-sim: kubectl get --raw ${path} is not modelled`, 64)
}

/** `get … --watch --output-watch-events -o json`: the current objects as ADDED, then every change until killed. */
function watch(ctx: Ctx, kind: string, allNs: boolean, ns: string): never {
  throw new WatchRequest(kind, allNs, ns)
}

export class WatchRequest {
  kind: string
  allNs: boolean
  ns: string
  constructor(kind: string, allNs: boolean, ns: string) {
    this.kind = kind
    this.allNs = allNs
    this.ns = ns
  }
}

function readManifests(ctx: Ctx, files: string[]): Array<{ file: string, obj: KObject }> {
  const out: Array<{ file: string, obj: KObject }> = []
  for (const f of files) {
    if (f === '-') {
      for (const doc of parseAllDocuments(ctx.stdin())) {
        if (doc.toJS())
          out.push({ file: '-', obj: doc.toJS() as KObject })
      }
      continue
    }
    const path = resolve(ctx.cwd, f)
    if (!existsSync(path))
      ctx.fail(`error: the path "${f}" does not exist`)
    const list = statSync(path).isDirectory() ? readdirSync(path).filter(n => /\.(?:ya?ml|json)$/.test(n)).sort().map(n => join(path, n)) : [path]
    for (const file of list) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
        const obj = doc.toJS() as KObject | null
        if (obj)
          out.push({ file, obj })
      }
    }
  }
  return out
}

function apply(ctx: Ctx, p: Parsed): void {
  const world = ctx.world
  const files = [...(p.flags['-f'] ?? []), ...(p.flags['--filename'] ?? [])]
  if (!files.length)
    ctx.fail('error: must specify one of -f and -k')
  for (const { obj } of readManifests(ctx, files)) {
    const kind = obj.kind
    if (!info(kind))
      ctx.reject(`phone-sim: kubectl apply of kind ${kind} is not modelled`, 64)
    const ns = NAMESPACED.has(kind) ? (obj.metadata.namespace ?? namespaceOf(p)) : undefined
    const existing = find(world.cluster!, kind, obj.metadata.name, ns)
    const label = `${info(kind).group ? `${kind.toLowerCase()}.${info(kind).group}` : kind.toLowerCase()}/${obj.metadata.name}`
    if (!existing) {
      create(world, { ...structuredClone(obj), metadata: { ...obj.metadata, namespace: ns, generation: 1 }, status: {} } as KObject)
      ctx.out(`${label} created\n`)
      continue
    }
    const before = JSON.stringify([existing.spec, existing.data, existing.metadata.labels])
    const spec = structuredClone(obj.spec) as Record<string, unknown> | undefined
    if (kind === 'Service' && spec)
      spec.clusterIP = (existing.spec as { clusterIP?: string }).clusterIP
    // clusterIPs is set by the API server too: apply's three-way merge leaves fields the manifest never
    // had alone, so re-applying the same Service is "unchanged" (kubernetes.io/docs/tasks/manage-kubernetes-objects/declarative-config/)
    if (kind === 'Service' && spec && (existing.spec as { clusterIPs?: string[] }).clusterIPs)
      spec.clusterIPs = (existing.spec as { clusterIPs?: string[] }).clusterIPs
    if (kind === 'PersistentVolumeClaim' && spec)
      spec.volumeName = (existing.spec as { volumeName?: string }).volumeName
    if (kind === 'Service' && spec) {
      for (const [i, port] of ((spec.ports ?? []) as Array<{ nodePort?: number }>).entries()) port.nodePort = ((existing.spec as { ports: Array<{ nodePort?: number }> }).ports[i])?.nodePort
    }
    const after = JSON.stringify([spec, obj.data, obj.metadata.labels])
    if (before === after) {
      ctx.out(`${label} unchanged\n`)
      continue
    }
    existing.spec = spec
    existing.data = obj.data
    existing.metadata.labels = obj.metadata.labels
    existing.metadata.generation = (existing.metadata.generation ?? 1) + 1
    bump(world.cluster!, existing)
    ctx.out(`${label} configured\n`)
  }
  reconcile(world)
}

function del(ctx: Ctx, p: Parsed): void {
  const world = ctx.world
  const cluster = world.cluster!
  const files = [...(p.flags['-f'] ?? []), ...(p.flags['--filename'] ?? [])]
  const targets: Array<{ kind: string, name: string, ns?: string, file?: string }> = []
  if (files.length) {
    for (const { file, obj } of readManifests(ctx, files)) targets.push({ kind: obj.kind, name: obj.metadata.name, ns: NAMESPACED.has(obj.kind) ? (obj.metadata.namespace ?? namespaceOf(p)) : undefined, file })
  }
  else {
    const [what, ...names] = p.positional
    if (!what)
      ctx.fail('error: resource(s) were provided, but no name was specified')
    const kind = resolveKind(ctx, what.split('/')[0])
    for (const n of what.includes('/') ? [what.split('/')[1], ...names] : names) targets.push({ kind, name: n, ns: namespaceOf(p) })
  }
  const removed: KObject[] = []
  for (const t of targets) {
    const obj = find(cluster, t.kind, t.name, t.ns)
    if (!obj) {
      if (p.flags['--ignore-not-found'])
        continue
      ctx.fail(`Error from server (NotFound): ${t.file ? `error when deleting "${t.file}": ` : ''}${qualified(t.kind)} "${t.name}" not found`)
    }
    ctx.out(`${info(t.kind).group ? `${t.kind.toLowerCase()}.${info(t.kind).group}` : t.kind.toLowerCase()} "${t.name}" deleted${NAMESPACED.has(t.kind) ? ` from ${t.ns} namespace` : ''}\n`)
    if (t.kind === 'Deployment') {
      for (const pod of pods(cluster).filter(x => x.sim?.owner === `${obj.metadata.namespace}/${obj.metadata.name}`)) terminate(ctx.world, pod)
      remove(cluster, obj)
    }
    else if (t.kind === 'Pod') {
      // --force --grace-period=0 removes the object at once, without the kubelet's confirmation (kubectl delete --help).
      if (p.flags['--force'] && value(p, '--grace-period') === '0') {
        ctx.err('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n')
        remove(cluster, obj)
        continue
      }
      terminate(ctx.world, obj)
      removed.push(obj)
    }
    else if (t.kind === 'PersistentVolumeClaim') {
      obj.metadata.deletionTimestamp = new Date(EPOCH_MS + world.now * 1000).toISOString()
      removed.push(obj)
    }
    else if (t.kind === 'Node') {
      remove(cluster, obj)
      delete cluster.nodePasswords[t.name]
      for (const pod of pods(cluster).filter(x => podSpec(x).nodeName === t.name)) remove(cluster, pod)
    }
    else {
      remove(cluster, obj)
    }
  }
  reconcile(world)
  // kubectl delete waits until the objects are gone (--wait=true): a claim a pod still uses waits for that pod.
  if (value(p, '--wait') === 'false')
    return
  const limit = parseDuration(value(p, '--timeout') ?? '0') || Infinity
  let waited = 0
  while (removed.some(o => cluster.objects.includes(o))) {
    if (waited >= limit)
      ctx.fail('error: timed out waiting for the condition')
    if (waited > 3600)
      ctx.hang(`kubectl delete waits for ${removed.map(o => o.metadata.name).join(', ')}`)
    if (!ctx.advance(1))
      throw new Exit(124)
    waited++
  }
}

function rolloutStatus(ctx: Ctx, p: Parsed): void {
  const [sub, target] = p.positional
  if (sub !== 'status')
    ctx.reject(`phone-sim: kubectl rollout ${sub} is not modelled`, 64)
  if (!target)
    ctx.fail('error: required resource not specified')
  const [kindWord, name] = target.includes('/') ? target.split('/') : [target, p.positional[2]]
  const kind = resolveKind(ctx, kindWord)
  if (kind !== 'Deployment')
    ctx.reject(`phone-sim: rollout status of ${kind} is not modelled`, 64)
  const limit = parseDuration(value(p, '--timeout') ?? '0') || Infinity
  let waited = 0
  let last = ''
  for (;;) {
    const dep = find(ctx.world.cluster!, 'Deployment', name, namespaceOf(p))
    if (!dep)
      ctx.fail(`Error from server (NotFound): deployments.apps "${name}" not found`)
    const replicas = (dep.spec as { replicas?: number }).replicas ?? 1
    const st = (dep.status ?? {}) as Record<string, number>
    let message = ''
    if ((st.updatedReplicas ?? 0) < replicas)
      message = `Waiting for deployment "${name}" rollout to finish: ${st.updatedReplicas ?? 0} out of ${replicas} new replicas have been updated...`
    else if ((st.replicas ?? 0) > (st.updatedReplicas ?? 0))
      message = `Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - (st.updatedReplicas ?? 0)} old replicas are pending termination...`
    else if ((st.availableReplicas ?? 0) < (st.updatedReplicas ?? 0))
      message = `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${st.updatedReplicas ?? 0} updated replicas are available...`
    if (!message) {
      ctx.out(`deployment "${name}" successfully rolled out\n`)
      return
    }
    if (message !== last)
      ctx.out(`${message}\n`)
    last = message
    if (waited >= limit)
      ctx.fail('error: timed out waiting for the condition')
    if (waited > 7200)
      ctx.hang(`kubectl rollout status deployment/${name} (no --timeout)`)
    if (!ctx.advance(1))
      throw new Exit(124)
    waited++
  }
}

function scale(ctx: Ctx, p: Parsed): void {
  const replicas = value(p, '--replicas')
  if (replicas === undefined || !/^\d+$/.test(replicas))
    ctx.fail('error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0')
  const target = p.positional[0]
  const [kindWord, name] = target?.includes('/') ? target.split('/') : [target, p.positional[1]]
  if (!kindWord || !name)
    ctx.fail('error: required resource not specified')
  const kind = resolveKind(ctx, kindWord)
  const dep = find(ctx.world.cluster!, kind, name, namespaceOf(p))
  if (!dep)
    ctx.fail(`Error from server (NotFound): ${qualified(kind)} "${name}" not found`)
  ;(dep.spec as { replicas: number }).replicas = Number(replicas)
  bump(ctx.world.cluster!, dep)
  reconcile(ctx.world)
  ctx.out(`${typeName(dep)} scaled\n`)
}

function label(ctx: Ctx, p: Parsed): void {
  const [kindWord, ...rest] = p.positional
  let name = rest[0]
  let kind = kindWord
  let changes = rest.slice(1)
  if (kindWord?.includes('/')) {
    ;[kind, name] = kindWord.split('/')
    changes = rest
  }
  if (!kind || !name || !changes.length)
    ctx.fail('error: one or more resources must be specified as <resource> <name> or <resource>/<name>')
  const obj = find(ctx.world.cluster!, resolveKind(ctx, kind), name, namespaceOf(p))
  if (!obj)
    ctx.fail(`Error from server (NotFound): ${qualified(resolveKind(ctx, kind))} "${name}" not found`)
  const labels = (obj.metadata.labels ??= {})
  let changed = false
  for (const c of changes) {
    if (c.endsWith('-')) {
      const key = c.slice(0, -1)
      if (key in labels) {
        delete labels[key]
        changed = true
      }
      else {
        ctx.out(`label "${key}" not found.\n`)
      }
      continue
    }
    const m = /^([\w./-]+)=([\w.-]*)$/.exec(c)
    if (!m)
      ctx.fail(`error: invalid label spec: ${c}`)
    if (labels[m[1]] !== undefined && labels[m[1]] !== m[2] && !p.flags['--overwrite'])
      ctx.fail(`error: '${m[1]}' already has a value (${labels[m[1]]}), and --overwrite is false`)
    if (labels[m[1]] !== m[2])
      changed = true
    labels[m[1]] = m[2]
  }
  bump(ctx.world.cluster!, obj)
  reconcile(ctx.world)
  const removing = changes.every(c => c.endsWith('-'))
  ctx.out(`${typeName(obj)} ${changed ? (removing ? 'unlabeled' : 'labeled') : (removing ? 'unlabeled' : 'not labeled')}\n`)
}

function wait(ctx: Ctx, p: Parsed): void {
  const cond = value(p, '--for')
  if (!cond)
    ctx.fail('error: --for must be specified')
  const limit = parseDuration(value(p, '--timeout') ?? '30s')
  const selector = value(p, '-l', '--selector')
  const targets = (): KObject[] => {
    const [what, ...names] = p.positional
    const kind = resolveKind(ctx, (what ?? '').split('/')[0])
    const all = ctx.world.cluster!.objects.filter(o => o.kind === kind && (!NAMESPACED.has(kind) || (o.metadata.namespace ?? 'default') === namespaceOf(p)))
    if (what?.includes('/'))
      return all.filter(o => o.metadata.name === what.split('/')[1])
    if (names.length)
      return all.filter(o => names.includes(o.metadata.name))
    return all.filter(labelSelector(selector))
  }
  const initial = targets()
  if (initial.length === 0) {
    if (cond === 'delete')
      return
    ctx.fail(p.positional[0]?.includes('/') ? `Error from server (NotFound): ${qualified(resolveKind(ctx, p.positional[0].split('/')[0]))} "${p.positional[0].split('/')[1]}" not found` : 'error: no matching resources found')
  }
  const m = /^condition=([A-Za-z]+)(?:=(True|False))?$/.exec(cond)
  if (cond !== 'delete' && !m)
    ctx.reject(`phone-sim: kubectl wait --for=${cond} is not modelled`, 64)
  let waited = 0
  const pending = new Set(initial)
  for (;;) {
    for (const o of [...pending]) {
      const present = ctx.world.cluster!.objects.includes(o)
      const done = cond === 'delete' ? !present : present && ((o.status?.conditions ?? []) as Array<{ type: string, status: string }>).some(c => c.type === m![1] && c.status === (m![2] ?? 'True'))
      if (done) {
        ctx.out(`${typeName(o)} condition met\n`)
        pending.delete(o)
      }
    }
    if (pending.size === 0)
      return
    if (waited >= limit) {
      ctx.fail(`error: timed out waiting for the condition on ${[...pending].map(o => `${qualified(o.kind)}/${o.metadata.name}`).join(', ')}`)
    }
    if (!ctx.advance(1))
      throw new Exit(124)
    waited++
  }
}

export function kubectl(ctx: Ctx): void {
  const argv = ctx.argv
  const sub = argv.find((a, i) => !a.startsWith('-') && !(i > 0 && GLOBAL.withValue.includes(argv[i - 1])))
  if (!sub)
    ctx.reject('phone-sim: kubectl without a subcommand is not modelled', 64)
  const spec = SPECS[sub]
  if (!spec) {
    const known = ['version', 'cluster-info', 'exec', 'port-forward', 'edit', 'patch', 'create', 'cordon', 'drain', 'top', 'config']
    if (known.includes(sub))
      ctx.reject(`phone-sim: kubectl ${sub} is not modelled`, 64)
    ctx.reject(`error: unknown command "${sub}" for "kubectl"\n\nDid you mean this?\n\tget\n\nRun 'kubectl --help' for usage.`, 1)
  }
  const parsed = parseFlags(argv.filter((_, i) => i !== argv.indexOf(sub)), { withValue: [...GLOBAL.withValue, ...spec.withValue], boolean: [...GLOBAL.boolean, ...spec.boolean] }, flag => reject(ctx, sub, flag))
  connect(ctx, parsed)
  switch (sub) {
    case 'get': return get(ctx, parsed)
    case 'apply': return apply(ctx, parsed)
    case 'delete': return del(ctx, parsed)
    case 'scale': return scale(ctx, parsed)
    case 'label': return label(ctx, parsed)
    case 'wait': return wait(ctx, parsed)
    case 'rollout': return rolloutStatus(ctx, parsed)
    default: ctx.reject(`phone-sim: kubectl ${sub} is not modelled`, 64)
  }
}
