// echo-demo/manifests/echo.yaml: valid against the Kubernetes schemas, and consistent with itself,
// with the scripts that use it and with the README.
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IService } from 'kubernetes-models/v1/Service'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../tools/phone-sim/layout.ts'
import { loadManifests } from '../support/manifests.ts'

const SCRIPTS_DIR = join(REPO_ROOT, 'echo-demo/scripts')

// The loader (test/support/manifests.ts) has checked every document against its schema, strictly.
const docs = loadManifests('echo-demo')
const deployment = docs.find(d => d.object.kind === 'Deployment')!.object as IDeployment
const service = docs.find(d => d.object.kind === 'Service')!.object as IService
const pod = deployment.spec!.template
const podLabels = pod.metadata!.labels!
const [container] = pod.spec!.containers
const scripts = readdirSync(SCRIPTS_DIR)
  .filter(f => f.endsWith('.sh'))
  .map(f => ({ name: f, text: readFileSync(join(SCRIPTS_DIR, f), 'utf8') }))
const readme = readFileSync(join(REPO_ROOT, 'echo-demo/README.md'), 'utf8')

function isSubset(part: Record<string, string>, whole: Record<string, string>) {
  return Object.entries(part).every(([k, v]) => whole[k] === v)
}

describe('echo.yaml', () => {
  it('is a Deployment and a Service, both called echo', () => {
    expect(docs.map(d => `${d.file}: ${d.object.kind}/${d.object.metadata.name}`)).toEqual(['echo.yaml: Deployment/echo', 'echo.yaml: Service/echo'])
  })
})

describe('the Deployment', () => {
  it('runs 2 replicas of ealen/echo-server:0.9.2', () => {
    expect(deployment.spec!.replicas).toBe(2)
    expect(pod.spec!.containers).toHaveLength(1)
    expect(container.image).toBe('ealen/echo-server:0.9.2')
  })

  it('gets POD_NAME and NODE_NAME from the downward API', () => {
    const env = Object.fromEntries((container.env ?? []).map(e => [e.name, e.valueFrom?.fieldRef?.fieldPath]))
    expect(env.POD_NAME).toBe('metadata.name')
    expect(env.NODE_NAME).toBe('spec.nodeName')
  })

  it('asks for little and is capped, to fit a 2 GB phone', () => {
    const { requests, limits } = container.resources ?? {}
    const mi = (q: unknown) => {
      const m = /^(\d+)(Mi|Gi)$/.exec(String(q))
      if (!m)
        throw new Error(`unexpected memory quantity ${q}`)
      return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1)
    }
    expect(requests?.cpu).toBeDefined()
    expect(limits?.cpu).toBeDefined()
    expect(mi(requests?.memory)).toBeLessThanOrEqual(mi(limits?.memory))
    // 10 replicas (05-scale-echo.sh's maximum) must fit next to k3s in about 2 GB
    expect(mi(limits?.memory) * 10).toBeLessThanOrEqual(1536)
  })

  it('has a readiness probe on the named port', () => {
    const probe = container.readinessProbe
    expect(probe?.httpGet?.port).toBe('http')
    expect(probe?.httpGet?.path).toBe('/ping')
  })

  it('carries the recommended labels on the Deployment, its pods and the Service', () => {
    const recommended = ['name', 'instance', 'version', 'component', 'part-of'].map(k => `app.kubernetes.io/${k}`)
    for (const labels of [deployment.metadata!.labels!, podLabels, service.metadata!.labels!]) {
      for (const key of recommended) expect(labels[key], key).toBeTruthy()
    }
    expect(deployment.metadata!.labels!['app.kubernetes.io/managed-by']).toBe('kubectl')
    expect(podLabels['app.kubernetes.io/version']).toBe(container.image!.split(':')[1])
  })
})

describe('cross-checks', () => {
  it('the Deployment\'s selector matches its pod labels (and doesn\'t use the changing version)', () => {
    const selector = deployment.spec!.selector.matchLabels!
    expect(Object.keys(selector).length).toBeGreaterThan(0)
    expect(isSubset(selector, podLabels)).toBe(true)
    expect(selector['app.kubernetes.io/version']).toBeUndefined()
  })

  it('the topology spread constraint selects the same pods', () => {
    for (const c of pod.spec!.topologySpreadConstraints ?? []) {
      expect(isSubset(c.labelSelector!.matchLabels!, podLabels)).toBe(true)
    }
  })

  it('the Service selects the Deployment\'s pods', () => {
    const selector = service.spec!.selector!
    expect(Object.keys(selector).length).toBeGreaterThan(0)
    expect(isSubset(selector, podLabels)).toBe(true)
  })

  it('the Service\'s targetPort is the container\'s port', () => {
    const ports = container.ports ?? []
    for (const p of service.spec!.ports!) {
      const target = p.targetPort
      const match = typeof target === 'string' ? ports.find(c => c.name === target) : ports.find(c => c.containerPort === target)
      expect(match, `targetPort ${target}`).toBeDefined()
      expect(match!.containerPort).toBe(80) // the echo server's default PORT
    }
  })

  it('the Service is a LoadBalancer on 8081 — not 80 or 443, which Traefik holds on k3s', () => {
    expect(service.spec!.type).toBe('LoadBalancer')
    expect(service.spec!.ports!.map(p => p.port)).toEqual([8081])
  })

  it('every address the scripts and the README call uses the Service port', () => {
    const port = service.spec!.ports![0].port
    const urls = [...scripts.map(s => s.text), readme].flatMap(t => [...t.matchAll(/http:\/\/[^\s"'`)/]+:(\d+)/g)])
    expect(urls.length).toBeGreaterThan(4)
    for (const m of urls) expect(Number(m[1]), m[0]).toBe(port)
    const curlScripts = scripts.filter(s => /^\s*curl .*\$ECHO_URL/m.test(s.text))
    expect(curlScripts.map(s => s.name).sort()).toEqual(['04-curl.sh', '04b-curl-hostname.sh', '04c-curl-nodename.sh'])
    const helpers = readFileSync(join(REPO_ROOT, 'scripts/lib/demo.sh'), 'utf8')
    expect(helpers).toContain(`ECHO_URL="http://\${ECHO_HOST:-localhost}:${port}"`)
  })

  it('every label selector in the scripts selects the echo pods', () => {
    const selectors = scripts.flatMap(s => [...s.text.matchAll(/ -l ([^\s"']+)/g)].map(m => ({ script: s.name, sel: m[1] })))
    expect(selectors.length).toBeGreaterThan(4)
    for (const { script, sel } of selectors) {
      const wanted = Object.fromEntries(sel.split(',').map(kv => kv.split('=')))
      expect(isSubset(wanted, podLabels), `${script}: -l ${sel}`).toBe(true)
    }
  })

  it('the scripts name the Deployment and Service of the manifest, and apply this manifest', () => {
    const all = scripts.map(s => s.text).join('\n')
    for (const m of all.matchAll(/deployment\/([a-z0-9-]+)/g)) expect(m[1]).toBe(deployment.metadata!.name)
    for (const m of all.matchAll(/kubectl get service ([a-z0-9-]+)/g)) expect(m[1]).toBe(service.metadata!.name)
    for (const m of all.matchAll(/MANIFEST="\$REPO_ROOT\/([^"]+)"/g)) expect(m[1]).toBe('echo-demo/manifests/echo.yaml')
  })

  it('the scripts ask the echo server for environment variables the pods really have', () => {
    const env = new Set([...(container.env ?? []).map(e => e.name), 'HOSTNAME'])
    const asked = scripts.flatMap(s => [...s.text.matchAll(/echo_env_body=([A-Z_]+)/g)].map(m => m[1]))
    expect(asked.sort()).toEqual(['HOSTNAME', 'NODE_NAME'])
    for (const name of asked) expect(env.has(name), name).toBe(true)
    const jq = scripts.flatMap(s => [...s.text.matchAll(/\.environment\.([A-Z_]+)/g)].map(m => m[1]))
    expect(jq.sort()).toEqual(['NODE_NAME', 'POD_NAME'])
    for (const name of jq) expect(env.has(name), name).toBe(true)
  })
})
