/**
 * The k3s cluster as the API server and its controllers would keep it: nodes from the phones' k3s
 * units, Deployments that make pods, a scheduler with the reasons it gives (nodeSelector, free host
 * ports, memory, a local-path volume's node), image pulls that take time (or fail), probes that make
 * pods Ready, grace periods, ServiceLB and ClusterIPs. reconcile() moves it to the present.
 */
import type { Cluster, Host, KObject, World } from './world.ts'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { parse } from 'yaml'
import { clusterHosts, onTailnet, policyAllows, tailnetIp } from './hosts.ts'
import { isoAt } from './world.ts'

export const NAMESPACED = new Set(['Pod', 'Deployment', 'ReplicaSet', 'Service', 'ConfigMap', 'PersistentVolumeClaim', 'Event', 'Secret'])
const SYSTEM_IMAGES_PRESENT = ['rancher/mirrored-coredns-coredns', 'rancher/local-path-provisioner', 'rancher/mirrored-metrics-server', 'rancher/mirrored-library-traefik', 'rancher/klipper-lb']

/** Seconds an image takes to pull on a normal connection (times the world's network slowdown). */
const PULL_SECONDS = 20
/** After this long without a ready k3s, a node turns NotReady (node-monitor-grace-period, 40 s). */
const NODE_GRACE = 40
/** Pods on an unreachable node are evicted after their default toleration (300 s). */
const EVICTION_SECONDS = 300

export function newCluster(server: string, token: string): Cluster {
  return { server, token, objects: [], nextClusterIp: 10, resourceVersion: 100, nodePasswords: {} }
}

const HASH_CHARS = 'bcdfghjklmnpqrstvwxz2456789'
function nameHash(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest()
  let s = ''
  for (let i = 0; i < length; i++) s += HASH_CHARS[digest[i] % HASH_CHARS.length]
  return s
}

export function bump(cluster: Cluster, obj: KObject): void {
  obj.metadata.resourceVersion = String(++cluster.resourceVersion)
}

export function find(cluster: Cluster, kind: string, name: string, namespace = 'default'): KObject | undefined {
  return cluster.objects.find(o => o.kind === kind && o.metadata.name === name && (!NAMESPACED.has(kind) || (o.metadata.namespace ?? 'default') === namespace))
}

type NewObject = Record<string, unknown> & { apiVersion: string, kind: string, metadata: Partial<KObject['metadata']> & { name: string } }

export function create(world: World, obj: NewObject): KObject {
  const cluster = world.cluster!
  const full = obj as unknown as KObject
  full.metadata.uid = createHash('sha1').update(`${full.kind}/${full.metadata.name}/${world.seq++}`).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5')
  full.metadata.creationTimestamp = isoAt(world.now)
  if (NAMESPACED.has(full.kind))
    full.metadata.namespace ??= 'default'
  bump(cluster, full)
  cluster.objects.push(full)
  return full
}

export function remove(cluster: Cluster, obj: KObject): void {
  cluster.objects = cluster.objects.filter(o => o !== obj)
}

export function event(world: World, involved: KObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
  const cluster = world.cluster!
  const namespace = involved.metadata.namespace ?? 'default'
  const last = cluster.objects.filter(o => o.kind === 'Event' && (o.involvedObject as { name: string }).name === involved.metadata.name && o.reason === reason).at(-1)
  if (last && last.message === message) {
    last.count = (last.count as number) + 1
    last.lastTimestamp = isoAt(world.now)
    bump(cluster, last)
    return
  }
  create(world, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.metadata.name}.${nameHash(`${reason}${world.seq}`, 16)}`, namespace },
    involvedObject: { kind: involved.kind, name: involved.metadata.name, namespace },
    reason,
    message,
    type,
    count: 1,
    firstTimestamp: isoAt(world.now),
    lastTimestamp: isoAt(world.now),
    source: { component: reason === 'FailedScheduling' ? 'default-scheduler' : 'kubelet' },
  })
}

// --- quantities ---
export function memoryMi(q: unknown): number {
  if (q === undefined || q === null)
    return 0
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|[KMG])?$/.exec(String(q))
  if (!m)
    return 0
  const n = Number(m[1])
  return { Ki: n / 1024, Mi: n, Gi: n * 1024, K: n / 1048.576, M: n / 1.048576, G: n * 953.674, undefined: n / 1048576 }[m[2] as 'Ki'] ?? n / 1048576
}

interface Container { name: string, image: string, ports?: Array<{ containerPort: number, hostPort?: number, name?: string }>, resources?: { requests?: { memory?: string } }, readinessProbe?: { initialDelaySeconds?: number } }
interface PodSpec {
  nodeName?: string
  nodeSelector?: Record<string, string>
  hostNetwork?: boolean
  containers: Container[]
  initContainers?: Array<Container & { restartPolicy?: string }>
  volumes?: Array<{ name: string, persistentVolumeClaim?: { claimName: string } }>
  terminationGracePeriodSeconds?: number
  tolerations?: unknown[]
}

export const podSpec = (pod: KObject) => pod.spec as unknown as PodSpec
const allContainers = (spec: PodSpec): Container[] => [...(spec.initContainers ?? []), ...spec.containers]

/** The ports a pod takes on its node: hostNetwork container ports and hostPorts. */
export function hostPorts(pod: KObject): number[] {
  const spec = podSpec(pod)
  return allContainers(spec).flatMap(c => (c.ports ?? []).flatMap(p => (spec.hostNetwork ? [p.containerPort] : p.hostPort ? [p.hostPort] : [])))
}

const podRequestsMi = (pod: KObject) => allContainers(podSpec(pod)).reduce((sum, c) => sum + memoryMi(c.resources?.requests?.memory), 0)

// --- nodes ---
export const nodes = (cluster: Cluster) => cluster.objects.filter(o => o.kind === 'Node')
export const pods = (cluster: Cluster) => cluster.objects.filter(o => o.kind === 'Pod')
export function isReady(obj: KObject): boolean {
  const conditions = (obj.status?.conditions ?? []) as Array<{ type: string, status: string }>
  return conditions.some(c => c.type === 'Ready' && c.status === 'True')
}

function hostOfNode(world: World, nodeName: string): Host | undefined {
  return clusterHosts(world).find(h => h.k3s!.nodeName === nodeName)
}

/** Whether this host's k3s is connected to the server (the server itself, or an agent that reaches 6443). */
function k3sConnected(world: World, host: Host): boolean {
  const k3s = host.k3s!
  if (!host.awake || k3s.unit.state !== 'active')
    return false
  if (k3s.role === 'server')
    return true
  const server = world.hosts[world.cluster!.server]
  if (!server?.k3s || server.k3s.unit.state !== 'active' || !server.awake)
    return false
  return canReach(world, host, server, 'tcp', 6443)
}

/** Host-to-host reachability for cluster traffic: the same host, or over the tailnet within the policy. */
export function canReach(world: World, from: Host, to: Host, proto: 'tcp' | 'udp', port: number): boolean {
  if (from === to)
    return true
  if (!to.awake)
    return false
  const fromIp = tailnetIp(world, from)
  const toIp = tailnetIp(world, to)
  if (!fromIp || !toIp)
    return false
  return onTailnet(world, from) && onTailnet(world, to) && policyAllows(world, proto, port)
}

function ensureNode(world: World, host: Host): KObject {
  const cluster = world.cluster!
  const k3s = host.k3s!
  let node = find(cluster, 'Node', k3s.nodeName)
  const ip = k3s.nodeIp ?? host.lan.ip
  if (!node) {
    const index = nodes(cluster).length
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'arm64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'arm64',
      'kubernetes.io/hostname': k3s.nodeName,
      'kubernetes.io/os': 'linux',
    }
    if (k3s.role === 'server') {
      labels['node-role.kubernetes.io/control-plane'] = 'true'
      labels['node-role.kubernetes.io/master'] = 'true'
    }
    node = create(world, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: k3s.nodeName, labels, annotations: { 'flannel.alpha.coreos.com/public-ip': ip, 'k3s.io/node-args': JSON.stringify(k3s.args) } },
      spec: { podCIDR: `10.42.${index}.0/24`, podCIDRs: [`10.42.${index}.0/24`] },
      status: {
        addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: k3s.nodeName }],
        allocatable: { cpu: '8', memory: `${host.memTotalMB * 1024}Ki`, pods: '110' },
        capacity: { cpu: '8', memory: `${host.memTotalMB * 1024}Ki`, pods: '110' },
        conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready', lastHeartbeatTime: isoAt(world.now), lastTransitionTime: isoAt(world.now) }],
        nodeInfo: { architecture: 'arm64', containerRuntimeVersion: 'containerd://2.1.5-k3s1', kernelVersion: '6.1.0-avf', kubeletVersion: k3s.version, kubeProxyVersion: k3s.version, operatingSystem: 'linux', osImage: 'Debian GNU/Linux 13 (trixie)' },
      },
      sim: { host: host.id, readySince: null, lastSeen: world.now },
    })
  }
  const addresses = node.status!.addresses as Array<{ type: string, address: string }>
  if (addresses[0].address !== ip) {
    addresses[0].address = ip
    node.metadata.annotations!['flannel.alpha.coreos.com/public-ip'] = ip
    bump(cluster, node)
  }
  return node
}

function setNodeReady(world: World, node: KObject, ready: boolean): void {
  const condition = (node.status!.conditions as Array<Record<string, string>>)[0]
  const want = ready ? 'True' : 'Unknown'
  if (condition.status === want || (!ready && condition.status === 'False'))
    return
  condition.status = want
  condition.reason = ready ? 'KubeletReady' : 'NodeStatusUnknown'
  condition.message = ready ? 'kubelet is posting ready status' : 'Kubelet stopped posting node status.'
  condition.lastTransitionTime = isoAt(world.now)
  bump(world.cluster!, node)
}

// --- the system add-ons k3s deploys on a new server ---
function addOns(world: World, host: Host): void {
  const cluster = world.cluster!
  if (find(cluster, 'Pod', 'coredns', 'kube-system') || cluster.objects.some(o => o.sim?.addOn))
    return
  const disabled = disabledAddOns(host)
  const system = [
    ['coredns', 'rancher/mirrored-coredns-coredns:1.12.3', '70Mi', 'coredns'],
    ['local-path-provisioner', 'rancher/local-path-provisioner:v0.0.32', '0', 'local-storage'],
    ['metrics-server', 'rancher/mirrored-metrics-server:v0.8.0', '70Mi', 'metrics-server'],
    ['traefik', 'rancher/mirrored-library-traefik:3.3.6', '0', 'traefik'],
  ]
  for (const [name, image, memory, addOn] of system) {
    if (disabled.includes(addOn))
      continue
    create(world, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'kube-system', labels: { 'k8s-app': name, 'app.kubernetes.io/name': name } },
      spec: { replicas: 1, selector: { matchLabels: { 'k8s-app': name } }, template: { metadata: { labels: { 'k8s-app': name, 'app.kubernetes.io/name': name } }, spec: { containers: [{ name, image, resources: { requests: { memory } } }], tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }] } } },
      status: {},
      sim: { addOn: true },
    })
  }
  if (!disabled.includes('traefik') && !disabled.includes('servicelb')) {
    create(world, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'traefik', namespace: 'kube-system', labels: { 'app.kubernetes.io/name': 'traefik' } },
      spec: { type: 'LoadBalancer', selector: { 'k8s-app': 'traefik' }, ports: [{ name: 'web', port: 80, protocol: 'TCP' }, { name: 'websecure', port: 443, protocol: 'TCP' }] },
      status: { loadBalancer: {} },
      sim: { addOn: true },
    })
  }
}

export function disabledAddOns(host: Host): string[] {
  const args = host.k3s?.args ?? []
  const out: string[] = configDisable(host)
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--disable' && args[i + 1])
      out.push(...args[++i].split(','))
    else if (args[i].startsWith('--disable='))
      out.push(...args[i].slice(10).split(','))
  }
  return out
}

/**
 * `disable` from k3s's config files: /etc/rancher/k3s/config.yaml, then config.yaml.d/*.yaml in
 * alphabetical order; a later file's key replaces an earlier one's, `disable+` appends to it
 * (docs.k3s.io/installation/configuration, "Multiple Config Files"). CLI flags add to it.
 */
function configDisable(host: Host): string[] {
  const dir = join(process.env.SIM_DIR ?? '', 'hosts', host.id, 'root', 'etc/rancher/k3s')
  const dropIns = existsSync(join(dir, 'config.yaml.d')) ? readdirSync(join(dir, 'config.yaml.d')).filter(f => f.endsWith('.yaml')).sort().map(f => join(dir, 'config.yaml.d', f)) : []
  let disabled: string[] = []
  const list = (v: unknown) => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []).flatMap(x => String(x).split(','))
  for (const file of [join(dir, 'config.yaml'), ...dropIns]) {
    if (!existsSync(file))
      continue
    const config = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>
    if ('disable' in config)
      disabled = list(config.disable)
    if ('disable+' in config)
      disabled = [...disabled, ...list(config['disable+'])]
  }
  return disabled
}

// --- controllers ---
function matches(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (!selector)
    return false
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v)
}

function deploymentPods(cluster: Cluster, dep: KObject): KObject[] {
  return pods(cluster).filter(p => p.sim?.owner === `${dep.metadata.namespace}/${dep.metadata.name}`)
}

function reconcileDeployment(world: World, dep: KObject): void {
  const cluster = world.cluster!
  const spec = dep.spec as { replicas?: number, template: { metadata: { labels: Record<string, string> }, spec: PodSpec }, strategy?: { type?: string } }
  const hash = nameHash(JSON.stringify(spec.template), 10)
  const owned = deploymentPods(cluster, dep)
  const live = owned.filter(p => !p.metadata.deletionTimestamp)
  const current = live.filter(p => p.sim?.hash === hash)
  const old = live.filter(p => p.sim?.hash !== hash)
  const replicas = dep.metadata.deletionTimestamp ? 0 : (spec.replicas ?? 1)
  if (dep.metadata.deletionTimestamp) {
    for (const p of live) terminate(world, p)
    if (owned.length === 0)
      remove(cluster, dep)
    return
  }
  // Recreate: old pods go first, new ones only when they are gone (strategy: Recreate).
  const recreate = spec.strategy?.type === 'Recreate'
  if (old.length > 0) {
    if (recreate) {
      for (const p of old) terminate(world, p)
    }
    else if (current.filter(isReady).length >= Math.min(replicas, current.length) && current.length >= replicas) {
      for (const p of old) terminate(world, p)
    }
  }
  const blocked = recreate && owned.some(p => p.sim?.hash !== hash)
  if (!blocked) {
    for (let i = current.length; i < replicas; i++) {
      const name = `${dep.metadata.name}-${hash}-${nameHash(`${dep.metadata.name}${world.seq++}`, 5)}`
      create(world, {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: dep.metadata.namespace, labels: { ...spec.template.metadata.labels, 'pod-template-hash': hash }, ownerReferences: [{ kind: 'ReplicaSet', name: `${dep.metadata.name}-${hash}` }] },
        spec: structuredClone(spec.template.spec) as unknown as Record<string, unknown>,
        status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] },
        sim: { owner: `${dep.metadata.namespace}/${dep.metadata.name}`, hash, addOn: dep.sim?.addOn ?? false },
      })
    }
    // Scale down: the newest pods go first.
    const extra = current.length - replicas
    if (extra > 0) {
      for (const p of [...current].sort((a, b) => b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp)).slice(0, extra)) terminate(world, p)
    }
  }
  const after = deploymentPods(cluster, dep).filter(p => !p.metadata.deletionTimestamp)
  const updated = after.filter(p => p.sim?.hash === hash)
  const status = {
    observedGeneration: dep.metadata.generation ?? 1,
    replicas: deploymentPods(cluster, dep).length,
    updatedReplicas: updated.length,
    readyReplicas: after.filter(isReady).length,
    availableReplicas: updated.filter(isReady).length,
  }
  if (JSON.stringify(status) !== JSON.stringify(dep.status)) {
    dep.status = status
    bump(cluster, dep)
  }
}

export function terminate(world: World, pod: KObject): void {
  if (pod.metadata.deletionTimestamp)
    return
  const spec = podSpec(pod)
  // The echo server ignores SIGTERM (it waits its whole grace period); the chat app and others stop at once.
  const grace = spec.containers.some(c => c.image.startsWith('ealen/echo-server')) ? (spec.terminationGracePeriodSeconds ?? 30) : Math.min(2, spec.terminationGracePeriodSeconds ?? 30)
  pod.metadata.deletionTimestamp = isoAt(world.now + grace)
  pod.sim = { ...pod.sim, goneAt: spec.nodeName ? world.now + grace : world.now }
  bump(world.cluster!, pod)
}

interface Fit { node: KObject, reason: string | null }

function schedule(world: World, pod: KObject): void {
  const cluster = world.cluster!
  const spec = podSpec(pod)
  const all = nodes(cluster)
  const fits: Fit[] = all.map(node => ({ node, reason: unfit(world, pod, node) }))
  const ok = fits.filter(f => f.reason === null)
  if (ok.length === 0) {
    const reasons = new Map<string, number>()
    for (const f of fits) reasons.set(f.reason!, (reasons.get(f.reason!) ?? 0) + 1)
    const detail = [...reasons].sort(([a], [b]) => a.localeCompare(b)).map(([r, n]) => `${n} ${r}`).join(', ')
    const message = all.length === 0
      ? 'no nodes available to schedule pods'
      : `0/${all.length} nodes are available: ${detail}. preemption: 0/${all.length} nodes are available: ${all.length} Preemption is not helpful for scheduling.`
    const conditions = pod.status!.conditions as Array<Record<string, string>>
    if (conditions[0].message !== message) {
      conditions[0] = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }
      bump(cluster, pod)
      event(world, pod, 'Warning', 'FailedScheduling', message)
    }
    return
  }
  // Spread: the node with the fewest pods of the same owner.
  const sameOwner = (n: KObject) => pods(cluster).filter(p => p.sim?.owner === pod.sim?.owner && podSpec(p).nodeName === n.metadata.name && !p.metadata.deletionTimestamp).length
  ok.sort((a, b) => sameOwner(a.node) - sameOwner(b.node) || a.node.metadata.name.localeCompare(b.node.metadata.name))
  const node = ok[0].node
  spec.nodeName = node.metadata.name
  bindVolumes(world, pod, node)
  const host = hostOfNode(world, node.metadata.name)!
  const images = allContainers(spec).map(c => c.image)
  const missing = images.filter(i => !host.images.includes(i) && !SYSTEM_IMAGES_PRESENT.some(s => i.startsWith(s)))
  const unknown = missing.filter(i => !world.registry.includes(i))
  const pullSeconds = missing.length === 0 ? 0 : PULL_SECONDS * world.networkSlowdown
  const startDelay = allContainers(spec).some(c => c.image.startsWith('rqlite/')) ? 8 : 1
  const probeDelay = Math.max(0, ...spec.containers.map(c => c.readinessProbe?.initialDelaySeconds ?? 0))
  pod.sim = {
    ...pod.sim,
    scheduledAt: world.now,
    pullFailed: unknown.length > 0 ? unknown : null,
    runningAt: world.now + pullSeconds + 1,
    readyAt: world.now + pullSeconds + 1 + startDelay + probeDelay,
    pulling: missing,
  }
  ;(pod.status!.conditions as Array<Record<string, string>>)[0] = { type: 'PodScheduled', status: 'True' }
  pod.status!.hostIP = (node.status!.addresses as Array<{ address: string }>)[0].address
  bump(cluster, pod)
  event(world, pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`)
  for (const image of missing) event(world, pod, 'Normal', 'Pulling', `Pulling image "${image}"`)
}

function unfit(world: World, pod: KObject, node: KObject): string | null {
  const cluster = world.cluster!
  const spec = podSpec(pod)
  if (!isReady(node))
    return 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }'
  if (spec.nodeSelector && !matches(node.metadata.labels, spec.nodeSelector))
    return 'node(s) didn\'t match Pod\'s node affinity/selector'
  const onNode = pods(cluster).filter(p => podSpec(p).nodeName === node.metadata.name && p !== pod && !(p.sim?.goneAt !== undefined && (p.sim.goneAt as number) <= world.now))
  const taken = new Set(onNode.flatMap(hostPorts))
  if (hostPorts(pod).some(p => taken.has(p)))
    return 'node(s) didn\'t have free ports for the requested pod ports'
  const pvcNode = volumeNode(world, pod)
  if (pvcNode && pvcNode !== node.metadata.name)
    return 'node(s) had volume node affinity conflict'
  const allocatable = memoryMi((node.status!.allocatable as { memory: string }).memory)
  const host = hostOfNode(world, node.metadata.name)
  const reserved = host ? (host.memTotalMB - host.memAvailableMB) : 0
  const used = onNode.reduce((sum, p) => sum + podRequestsMi(p), 0)
  if (used + podRequestsMi(pod) > allocatable - reserved)
    return 'Insufficient memory'
  return null
}

function claimNames(pod: KObject): string[] {
  return (podSpec(pod).volumes ?? []).flatMap(v => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []))
}

function volumeNode(world: World, pod: KObject): string | null {
  for (const claim of claimNames(pod)) {
    const pvc = find(world.cluster!, 'PersistentVolumeClaim', claim, pod.metadata.namespace)
    const volume = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName
    const pv = volume ? find(world.cluster!, 'PersistentVolume', volume) : undefined
    const node = (pv?.spec as { nodeAffinity?: { required: { nodeSelectorTerms: Array<{ matchExpressions: Array<{ values: string[] }> }> } } } | undefined)?.nodeAffinity?.required.nodeSelectorTerms[0].matchExpressions[0].values[0]
    if (node)
      return node
  }
  return null
}

/** local-path (WaitForFirstConsumer): the claim binds to a volume on the node of its first pod. */
function bindVolumes(world: World, pod: KObject, node: KObject): void {
  for (const claim of claimNames(pod)) {
    const pvc = find(world.cluster!, 'PersistentVolumeClaim', claim, pod.metadata.namespace)
    if (!pvc || (pvc.spec as { volumeName?: string }).volumeName)
      continue
    const name = `pvc-${pvc.metadata.uid}`
    const size = ((pvc.spec as { resources?: { requests?: { storage?: string } } }).resources?.requests?.storage) ?? '1Gi'
    create(world, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name, annotations: { 'local.path.provisioner/selected-node': node.metadata.name } },
      spec: {
        capacity: { storage: size },
        storageClassName: 'local-path',
        claimRef: { name: claim, namespace: pvc.metadata.namespace },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node.metadata.name] }] }] } },
        hostPath: { path: `/var/lib/rancher/k3s/storage/${name}_${pvc.metadata.namespace}_${claim}` },
      },
      status: { phase: 'Bound' },
    })
    ;(pvc.spec as { volumeName?: string }).volumeName = name
    pvc.status = { phase: 'Bound', capacity: { storage: size } }
    bump(world.cluster!, pvc)
  }
}

function updatePodStatus(world: World, pod: KObject): void {
  const cluster = world.cluster!
  const sim = pod.sim as { scheduledAt?: number, runningAt?: number, readyAt?: number, pullFailed?: string[] | null, pulling?: string[] }
  const spec = podSpec(pod)
  if (!spec.nodeName || sim.scheduledAt === undefined)
    return
  const host = hostOfNode(world, spec.nodeName)
  const node = find(cluster, 'Node', spec.nodeName)
  const nodeUp = !!host && !!node && isReady(node)
  let phase = 'Pending'
  let ready = false
  let waiting: string | null = 'ContainerCreating'
  if (sim.pullFailed) {
    const failedFor = world.now - sim.scheduledAt
    waiting = failedFor < 10 ? 'ErrImagePull' : 'ImagePullBackOff'
    if (failedFor >= 1 && !cluster.objects.some(o => o.kind === 'Event' && o.reason === 'Failed' && (o.involvedObject as { name: string }).name === pod.metadata.name)) {
      event(world, pod, 'Warning', 'Failed', `Failed to pull image "${sim.pullFailed[0]}": rpc error: code = NotFound desc = failed to pull and unpack image "${/^[^/][^./]*\.[^/]+\//.test(sim.pullFailed[0]) ? '' : 'docker.io/'}${sim.pullFailed[0]}": not found`)
    }
  }
  else if (world.now >= sim.runningAt!) {
    phase = 'Running'
    waiting = null
    ready = world.now >= sim.readyAt! && nodeUp
    if (host && sim.pulling?.length) {
      for (const image of sim.pulling) {
        if (!host.images.includes(image))
          host.images.push(image)
      }
      sim.pulling = []
    }
  }
  const containerStatuses = spec.containers.map(c => ({
    name: c.name,
    image: c.image,
    ready,
    restartCount: 0,
    started: phase === 'Running',
    state: waiting ? { waiting: { reason: waiting } } : { running: { startedAt: isoAt(sim.runningAt!) } },
  }))
  const status = {
    phase,
    hostIP: pod.status!.hostIP,
    podIP: phase === 'Running' ? (spec.hostNetwork ? pod.status!.hostIP : `10.42.${nodes(cluster).indexOf(node!)}.${10 + (Number.parseInt(pod.metadata.uid.slice(0, 2), 16) % 200)}`) : undefined,
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Initialized', status: 'True' },
      { type: 'ContainersReady', status: ready ? 'True' : 'False' },
      { type: 'Ready', status: ready ? 'True' : 'False' },
    ],
    containerStatuses,
    startTime: isoAt(sim.scheduledAt),
  }
  if (JSON.stringify(status) !== JSON.stringify(pod.status)) {
    pod.status = status
    bump(cluster, pod)
  }
}

/** ServiceLB: a LoadBalancer port opens on every Ready node where no one else holds it (svclb pods). */
export function loadBalancerNodes(world: World, svc: KObject): KObject[] {
  const cluster = world.cluster!
  const ports = (svc.spec as { ports: Array<{ port: number }> }).ports.map(p => p.port)
  const owners = cluster.objects.filter(o => o.kind === 'Service' && (o.spec as { type?: string }).type === 'LoadBalancer' && !o.metadata.deletionTimestamp)
  const server = world.hosts[cluster.server]
  if (disabledAddOns(server).includes('servicelb'))
    return []
  return nodes(cluster).filter((node) => {
    if (!isReady(node))
      return false
    const first = owners.find(o => (o.spec as { ports: Array<{ port: number }> }).ports.some(p => ports.includes(p.port)))
    if (first !== svc)
      return false
    const onNode = pods(cluster).filter(p => podSpec(p).nodeName === node.metadata.name && !p.metadata.deletionTimestamp)
    return !onNode.some(p => !p.metadata.name.startsWith('svclb-') && hostPorts(p).some(hp => ports.includes(hp)))
  })
}

function reconcileService(world: World, svc: KObject): void {
  const spec = svc.spec as { type?: string, clusterIP?: string, ports: Array<{ port: number, nodePort?: number }> }
  if (!spec.clusterIP) {
    spec.clusterIP = `10.43.${Math.floor(world.cluster!.nextClusterIp / 250)}.${(world.cluster!.nextClusterIp++ % 250) + 1}`
    ;(spec as Record<string, unknown>).clusterIPs = [spec.clusterIP]
    bump(world.cluster!, svc)
  }
  if (spec.type !== 'LoadBalancer')
    return
  for (const p of spec.ports) {
    if (!p.nodePort) {
      p.nodePort = 30000 + (Number.parseInt(svc.metadata.uid.slice(0, 4), 16) % 2767)
      bump(world.cluster!, svc)
    }
  }
  const ingress = loadBalancerNodes(world, svc).map(n => ({ ip: (n.status!.addresses as Array<{ address: string }>)[0].address, ipMode: 'VIP' }))
  const status = { loadBalancer: ingress.length ? { ingress } : {} }
  if (JSON.stringify(status) !== JSON.stringify(svc.status)) {
    svc.status = status
    bump(world.cluster!, svc)
  }
}

/** The ready pods behind a Service. */
export function endpoints(world: World, svc: KObject): KObject[] {
  const selector = (svc.spec as { selector?: Record<string, string> }).selector
  return pods(world.cluster!).filter(p => matches(p.metadata.labels, selector) && isReady(p) && !p.metadata.deletionTimestamp && (p.metadata.namespace ?? 'default') === (svc.metadata.namespace ?? 'default'))
}

/** Pod-to-pod traffic between two nodes runs over flannel's VXLAN: UDP 8472 on the tailnet. */
export function overlayWorks(world: World, fromNode: string, toNode: string): boolean {
  if (fromNode === toNode)
    return true
  const a = hostOfNode(world, fromNode)
  const b = hostOfNode(world, toNode)
  if (!a || !b)
    return false
  const iface = (h: Host) => h.k3s!.flannelIface
  if (iface(a) !== 'tailscale0' || iface(b) !== 'tailscale0')
    return false
  return canReach(world, a, b, 'udp', 8472)
}

export { hostOfNode }

/** Moves the cluster to world.now: nodes, controllers, scheduler, kubelets. */
export function reconcile(world: World): void {
  const cluster = world.cluster
  if (!cluster)
    return
  for (const host of clusterHosts(world)) {
    const k3s = host.k3s!
    if (k3s.unit.state === 'active' && host.awake && (k3s.role === 'server' || k3sConnected(world, host))) {
      const node = ensureNode(world, host)
      node.sim!.lastSeen = world.now
      // A new node turns Ready a few seconds after it registers (flannel and the CNI come up).
      const created = Date.parse(node.metadata.creationTimestamp)
      if (world.now * 1000 + Date.parse('2026-12-01T09:00:00Z') - created >= 5000)
        setNodeReady(world, node, true)
      if (k3s.role === 'server')
        addOns(world, host)
    }
  }
  const server = world.hosts[cluster.server]
  const apiUp = !!server?.k3s && server.k3s.unit.state === 'active' && server.awake
  if (!apiUp)
    return
  for (const node of nodes(cluster)) {
    const host = hostOfNode(world, node.metadata.name)
    const connected = !!host && k3sConnected(world, host)
    if (!connected && world.now - (node.sim!.lastSeen as number) >= NODE_GRACE)
      setNodeReady(world, node, false)
    if (!isReady(node) && world.now - (node.sim!.lastSeen as number) >= EVICTION_SECONDS) {
      for (const p of pods(cluster).filter(p => podSpec(p).nodeName === node.metadata.name && p.sim?.owner)) terminate(world, p)
    }
  }
  for (const dep of cluster.objects.filter(o => o.kind === 'Deployment')) reconcileDeployment(world, dep)
  for (const pod of pods(cluster)) {
    if (pod.sim?.goneAt !== undefined && (pod.sim.goneAt as number) <= world.now) {
      // Only the pod's kubelet confirms that it ended: on a node that doesn't answer (a phone asleep),
      // the pod stays Terminating until the node is back or it is deleted with --force --grace-period=0
      // (kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination-forced).
      const nodeName = podSpec(pod).nodeName
      const host = nodeName && find(cluster, 'Node', nodeName) ? hostOfNode(world, nodeName) : undefined
      if (!host || k3sConnected(world, host)) {
        remove(cluster, pod)
        continue
      }
    }
    if (!podSpec(pod).nodeName && !pod.metadata.deletionTimestamp)
      schedule(world, pod)
    updatePodStatus(world, pod)
  }
  for (const svc of cluster.objects.filter(o => o.kind === 'Service')) reconcileService(world, svc)
  for (const pvc of cluster.objects.filter(o => o.kind === 'PersistentVolumeClaim' && o.metadata.deletionTimestamp)) {
    const inUse = pods(cluster).some(p => claimNames(p).includes(pvc.metadata.name))
    if (!inUse) {
      const volume = (pvc.spec as { volumeName?: string }).volumeName
      const pv = volume ? find(cluster, 'PersistentVolume', volume) : undefined
      if (pv)
        remove(cluster, pv)
      remove(cluster, pvc)
    }
  }
}
