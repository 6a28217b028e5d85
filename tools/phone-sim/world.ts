/**
 * The simulated world's state: the phones' VMs, the laptop, the tailnet between them and the k3s
 * cluster on them, kept as one JSON file that every simulated program reads and writes under a lock.
 * Time is simulated too (`now`, in seconds): `sleep`, `timeout`, curl's time limits and kubectl's
 * waits move it forward instead of waiting, so slow states (a unit "activating", an image pulling on
 * conference Wi-Fi) are reproducible and tests never wait for real.
 */
import { mkdirSync, readFileSync, renameSync, rmdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The date the simulated clock starts at (timestamps in kubectl's and journalctl's output). */
export const EPOCH_MS = Date.parse('2026-12-01T09:00:00Z')

export type HostKind = 'phone' | 'laptop'
export type K3sRole = 'server' | 'agent'
/** systemd's ActiveState values (systemctl is-active prints them) — man systemctl. */
export type UnitState = 'inactive' | 'activating' | 'active' | 'deactivating' | 'failed'
/** tailscaled's backend states (tailscale status --json: BackendState). */
export type BackendState = 'NoState' | 'NeedsLogin' | 'NeedsMachineAuth' | 'Stopped' | 'Starting' | 'Running'

export interface Unit {
  state: UnitState
  since: number
  /** when an activating unit becomes active (null: never — k3s can't get ready) */
  readyAt: number | null
  /** why it can't get ready, written to the journal */
  failure: string | null
  enabled: boolean
}

export interface K3sInstall {
  role: K3sRole
  version: string
  token: string
  nodeName: string
  nodeIp: string | null
  flannelIface: string | null
  /** the server's address an agent joins (K3S_URL) */
  serverUrl: string | null
  kubeconfigMode: string | null
  kubeconfigGroup: string | null
  /** every flag the installer got, as given */
  args: string[]
  unit: Unit
}

export interface AuthKey {
  ephemeral: boolean
  reusable: boolean
  /** pre-approved: no device approval needed even when the tailnet requires it */
  preauthorized: boolean
  used: boolean
  expired: boolean
}

export interface Device {
  id: string
  /** the host (VM or laptop) this device is */
  host: string
  /** the name it asked for (--hostname) */
  hostname: string
  /** its MagicDNS label: hostname, or hostname-1, -2 … when the name was taken */
  name: string
  ip: string
  ephemeral: boolean
  approved: boolean
  /** logged out: the node key expired; the device stays in the admin console until removed */
  expired: boolean
}

export interface Tailnet {
  /** MagicDNS suffix */
  domain: string
  magicDNS: boolean
  /** HTTPS certificates enabled in the admin console (needed by serve/funnel over HTTPS) */
  https: boolean
  /** the policy's nodeAttrs give this tailnet's devices the "funnel" attribute */
  funnel: boolean
  /** new devices need an admin's approval (kb/1099) unless their key is pre-approved */
  deviceApproval: boolean
  keys: Record<string, AuthKey>
  devices: Device[]
  /** what the policy lets through between devices: ["*"] or entries like "tcp:6443", "udp:8472" */
  allow: string[]
}

export interface FunnelRule {
  https: number
  target: string
  funnel: boolean
}

export interface TailscaleState {
  installed: boolean
  daemon: boolean
  backend: BackendState
  deviceId: string | null
  /** the non-default preferences set by `up`/`set` (persisted by tailscaled) */
  prefs: Record<string, string>
  /** `tailscale serve/funnel --bg` configuration */
  serve: FunnelRule[]
  /** set when the login waits for a browser (auth URL printed) */
  authUrl: string | null
}

export interface Forwarder {
  pid: number
  command: string
  proto: 'tcp' | 'udp'
  bindAddress: string
  port: number
  /** "host:port" it forwards to */
  target: string
}

export interface Host {
  id: string
  kind: HostKind
  user: string
  /** every phone's VM is called debian (AOSP vm_config), the laptop has its own name */
  hostname: string
  /** the VM's network as Android's Linux Terminal app sets it up: a tethered /24 on avf_tap_fixed */
  lan: { iface: string, ip: string, prefix: number, gateway: string }
  memTotalMB: number
  memAvailableMB: number
  diskFreeMB: number
  cgroupV2: boolean
  tun: boolean
  /** kernel features k3s needs that this VM's kernel lacks (k3s check-config reports them) */
  missingKernelFeatures: string[]
  clockSynced: boolean
  /** false: the phone sleeps or the Terminal app is closed — nothing answers */
  awake: boolean
  /** programs installed besides the basic tools (curl, jq, sudo, …) */
  programs: string[]
  tailscale: TailscaleState
  k3s: K3sInstall | null
  /** the phone's AI app (on Android): reachable from the VM only through the gateway */
  aiApp: { running: boolean, models: Array<{ name: string, available: boolean, loaded: boolean }> } | null
  forwarders: Forwarder[]
  /** container images already on this node (containerd) */
  images: string[]
  /** host names the laptop resolves without MagicDNS (/etc/hosts) */
  journal: Record<string, string[]>
}

export interface KObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    uid: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
    creationTimestamp: string
    deletionTimestamp?: string
    ownerReferences?: Array<{ kind: string, name: string }>
    generation?: number
    resourceVersion: string
  }
  spec?: Record<string, unknown> & object
  status?: Record<string, unknown> & object
  data?: Record<string, string>
  /** event fields */
  [key: string]: unknown
  /** the simulation's bookkeeping, never shown */
  sim?: Record<string, unknown>
}

export interface Cluster {
  /** the host that runs the server */
  server: string
  token: string
  objects: KObject[]
  nextClusterIp: number
  resourceVersion: number
  /** node name → the password its agent registered with (k3s keeps it as a secret; deleting the node frees the name) */
  nodePasswords: Record<string, string>
  /**
   * k3s's CAs, made when a server starts without /var/lib/rancher/k3s/server/tls (docs.k3s.io/cli/certificate,
   * k3s-io/k3s#1868); k3s-uninstall.sh deletes /var/lib/rancher/k3s, so a reinstall makes new CAs and a new
   * admin certificate, and a kubeconfig from before is Unauthorized.
   */
  ca?: string
}

export interface Call {
  host: string
  cmd: string
  argv: string[]
  at: number
}

export interface World {
  now: number
  seq: number
  tailnet: Tailnet
  hosts: Record<string, Host>
  cluster: Cluster | null
  /** the conference Wi-Fi: image pulls and downloads are this many times slower */
  networkSlowdown: number
  /** images the registries have (anything else fails to pull) */
  registry: string[]
  /** calls the simulation doesn't know: flags and subcommands the real tool would reject */
  rejections: Array<{ host: string, cmd: string, argv: string[], reason: string }>
  /** a call that would block forever on a phone (the run was ended there) */
  hung: { host: string, cmd: string, argv: string[], at: number, what: string } | null
  calls: Call[]
}

export function isoAt(seconds: number): string {
  return new Date(EPOCH_MS + Math.round(seconds * 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const LOCK_STALE_MS = 10_000

/** Runs fn on the world under an exclusive lock and saves what it changed. */
export function withWorld<T>(dir: string, fn: (world: World) => T): T {
  const file = join(dir, 'world.json')
  const lock = join(dir, 'world.lock')
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (let tries = 0; ; tries++) {
    try {
      mkdirSync(lock)
      break
    }
    catch {
      // A program killed while holding the lock (the run was ended) leaves it behind.
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS)
          rmdirSync(lock)
      }
      catch { /* gone meanwhile */ }
      Atomics.wait(pause, 0, 0, Math.min(20, 1 + tries))
    }
  }
  try {
    const before = readFileSync(file, 'utf8')
    const world = JSON.parse(before) as World
    const result = fn(world)
    // Most calls only look (hostname, kubectl get): the same text needs no new file.
    const after = JSON.stringify(world)
    if (after !== before) {
      writeFileSync(`${file}.tmp`, after)
      renameSync(`${file}.tmp`, file)
    }
    return result
  }
  finally {
    rmdirSync(lock)
  }
}

export function readWorld(dir: string): World {
  return JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8')) as World
}

export function writeWorld(dir: string, world: World): void {
  writeFileSync(join(dir, 'world.json'), JSON.stringify(world))
}
