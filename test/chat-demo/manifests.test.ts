// chat-demo/manifests: valid Kubernetes objects, and consistent with the chat app (its config
// module, its routes, its package version), the scripts and the README that use them.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PRODUCTION_NODE_FLAGS } from '../../chat-demo/app/bench/crowd.ts'
import { COMMAND_NAME, parseCommandsFile, RESERVED_NAMES } from '../../chat-demo/app/src/commands/file.ts'
import { configVariables, DEFAULT_AUDIENCE_PORT, DEFAULT_PORT, loadConfig } from '../../chat-demo/app/src/config.ts'
import { createLogger } from '../../chat-demo/app/src/log.ts'
import { start } from '../../chat-demo/app/src/main.ts'
import { createSandbox } from '../support/shell-harness.ts'
import {
  chatContainer,
  chatEnv,
  chatManifests,
  commandsConf,
  commandsConfigMap,
  deployment,
  find,
  podSpec,
  REPO_ROOT,
  rqliteContainer,
  service,
} from './manifests.ts'

const appVersion: string = JSON.parse(readFileSync(resolve(REPO_ROOT, 'chat-demo/app/package.json'), 'utf8')).version
const read = (path: string) => readFileSync(resolve(REPO_ROOT, path), 'utf8')

/** rqlite's flags as a map, e.g. {"http-addr": "127.0.0.1:4001"}. */
function rqliteFlags() {
  return Object.fromEntries(
    (rqliteContainer().args as string[]).filter(a => a.startsWith('-')).map(a => a.replace(/^-+/, '').split('=') as [string, string]),
  )
}
const portOf = (address: string) => Number(address.split(':').at(-1))
const containerPort = (container: any, name: string) => container.ports.find((p: any) => p.name === name)?.containerPort

// The loader (test/support/manifests.ts) has checked them against the schemas, strictly.
describe('the manifests', () => {
  const docs = chatManifests()

  it('hold exactly the objects the scripts apply and delete', () => {
    expect(docs.map(d => `${d.file}: ${d.object.kind}/${d.object.metadata.name}`)).toEqual([
      'chat-config.yaml: ConfigMap/chat-commands',
      'chat-data.yaml: PersistentVolumeClaim/chat-data',
      'chat.yaml: Deployment/chat',
      'chat.yaml: Service/chat',
    ])
  })

  it('carry the recommended labels on every object', () => {
    for (const { file, object } of docs) {
      expect(object.metadata.labels, file).toMatchObject({
        'app.kubernetes.io/name': 'chat',
        'app.kubernetes.io/instance': 'chat',
        'app.kubernetes.io/part-of': 'k3s-on-phone-demo',
        'app.kubernetes.io/managed-by': 'kubectl',
      })
      expect(object.metadata.labels?.['app.kubernetes.io/component'], file).toMatch(/^[a-z]+$/)
    }
  })
})

describe('the Deployment', () => {
  it('runs one pod on the labelled phone, in the host network, replaced rather than rolled', () => {
    const d = deployment()
    expect(d.spec.replicas).toBe(1)
    expect(d.spec.strategy).toEqual({ type: 'Recreate' })
    expect(podSpec().nodeSelector).toEqual({ llm: 'true' })
    expect(podSpec().hostNetwork).toBe(true)
    expect(podSpec().dnsPolicy).toBe('ClusterFirstWithHostNet')
  })

  it('selects its own pods, and its version label is the app version and image tag', () => {
    const d = deployment()
    const labels = d.spec.template.metadata.labels
    expect(labels).toMatchObject(d.spec.selector.matchLabels)
    expect(labels['app.kubernetes.io/version']).toBe(appVersion)
    expect(d.metadata.labels?.['app.kubernetes.io/version']).toBe(appVersion)
    expect(chatContainer().image).toBe(`ghcr.io/parttimenerd/k3s-on-phone-chat:${appVersion}`)
  })

  it('gives every container requests and limits that fit beside k3s in a 2 GB phone', () => {
    const mebibytes = (q: string) => {
      const m = /^(\d+)(Mi|Gi)$/.exec(q)
      if (!m)
        throw new Error(`memory ${q}: use Mi or Gi`)
      return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1)
    }
    const millicores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000)
    let limits = 0
    for (const c of [...podSpec().initContainers, ...podSpec().containers]) {
      const { requests, limits: max } = c.resources
      for (const key of ['cpu', 'memory']) {
        expect(requests[key], `${c.name} requests.${key}`).toBeDefined()
        expect(max[key], `${c.name} limits.${key}`).toBeDefined()
      }
      expect(mebibytes(requests.memory)).toBeLessThanOrEqual(mebibytes(max.memory))
      expect(millicores(requests.cpu)).toBeLessThanOrEqual(millicores(max.cpu))
      limits += mebibytes(max.memory)
    }
    // k3s itself takes about 1.6 GB with a workload: the whole pod stays under 512 MiB.
    expect(limits).toBeLessThanOrEqual(512)
  })

  it('keeps Node.js heap inside the chat container memory limit', () => {
    const heap = /--max-old-space-size=(\d+)/.exec(chatEnv().NODE_OPTIONS ?? '')
    expect(heap).not.toBeNull()
    expect(Number(heap![1])).toBeLessThan(Number(/^(\d+)Mi$/.exec(chatContainer().resources.limits.memory)![1]))
  })
})

describe('the rqlite sidecar', () => {
  it('is a native sidecar: an init container that keeps running', () => {
    const c = rqliteContainer()
    expect(c.restartPolicy).toBe('Always')
    expect(c.image).toBe('rqlite/rqlite:8.27.0')
    expect(podSpec().containers.map((x: any) => x.name)).toEqual(['chat'])
  })

  it('runs rqlited with its data directory last, inside the persistent volume', () => {
    const c = rqliteContainer()
    expect(c.command).toEqual(['rqlited'])
    const args: string[] = c.args
    const dataDir = args.at(-1)!
    expect(dataDir.startsWith('/')).toBe(true)
    expect(args.filter(a => !a.startsWith('-'))).toEqual([dataDir]) // rqlited refuses arguments after it
    const mount = c.volumeMounts.find((m: any) => dataDir.startsWith(`${m.mountPath}/`))
    expect(mount, 'a volume mount holding the data directory').toBeDefined()
    const volume = podSpec().volumes.find((v: any) => v.name === mount.name)
    expect(volume.persistentVolumeClaim.claimName).toBe('chat-data')
    const claim = find('PersistentVolumeClaim', 'chat-data')
    expect(claim.spec.storageClassName).toBe('local-path')
    expect(claim.spec.accessModes).toEqual(['ReadWriteOnce'])
  })

  it('listens on the loopback only and advertises exactly what it binds (same on every restart)', () => {
    const flags = rqliteFlags()
    expect(flags['node-id']).toMatch(/^\S+$/)
    for (const kind of ['http', 'raft']) {
      expect(flags[`${kind}-addr`]).toMatch(/^127\.0\.0\.1:\d+$/)
      expect(flags[`${kind}-adv-addr`]).toBe(flags[`${kind}-addr`])
    }
    expect(portOf(flags['http-addr']!)).toBe(4001)
    expect(portOf(flags['raft-addr']!)).toBe(4002)
  })

  it('declares exactly the ports it opens, and probes them on the loopback', () => {
    const c = rqliteContainer()
    const flags = rqliteFlags()
    expect(c.ports.map((p: any) => p.containerPort).sort()).toEqual([portOf(flags['http-addr']!), portOf(flags['raft-addr']!)].sort())
    expect(containerPort(c, c.readinessProbe.httpGet.port)).toBe(portOf(flags['http-addr']!))
    for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) expect(probe.httpGet.host).toBe('127.0.0.1')
    expect(c.readinessProbe.httpGet.path).toBe('/readyz')
    expect(c.startupProbe.httpGet.path).toBe('/readyz')
    expect(c.livenessProbe.httpGet.path).toBe('/readyz?noleader')
  })
})

describe('the chat container matches the app', () => {
  it('sets only variables the app reads (from its config module), and all the cluster needs', () => {
    const names = Object.keys(chatEnv())
    const runtime = ['NODE_OPTIONS'] // read by Node.js itself
    expect(names.filter(n => !configVariables.includes(n) && !runtime.includes(n))).toEqual([])
    expect(names).toEqual(expect.arrayContaining(['PORT', 'POD_NAME', 'NODE_NAME', 'RQLITE_URL', 'COMMANDS_FILE', 'LLM_URL', 'LLM_MODEL']))
  })

  it('runs Node with the heap flags the crowd benchmark measures', () => {
    expect(chatEnv().NODE_OPTIONS).toBe(PRODUCTION_NODE_FLAGS.join(' '))
  })

  it('gets its pod and node names from the downward API', () => {
    const env = chatContainer().env as any[]
    expect(env.find(e => e.name === 'POD_NAME').valueFrom.fieldRef.fieldPath).toBe('metadata.name')
    expect(env.find(e => e.name === 'NODE_NAME').valueFrom.fieldRef.fieldPath).toBe('spec.nodeName')
  })

  it('is a configuration the app\'s own loader accepts, pointing at the sidecar and the phone\'s AI app', () => {
    const config = loadConfig(chatEnv())
    expect(config.port).toBe(DEFAULT_PORT)
    expect(config.port).toBe(containerPort(chatContainer(), 'http'))
    expect(config.podName).toBe('chat-5d9c7b6f4-x2x7k')
    expect(config.nodeName).toBe('phone-b')
    const rqlite = new URL(config.rqliteUrl!)
    expect(`${rqlite.hostname}:${rqlite.port}`).toBe(rqliteFlags()['http-adv-addr'])
    expect(new URL(config.llmUrl).port).toBe('8005')
    expect(['127.0.0.1', 'localhost']).toContain(new URL(config.llmUrl).hostname) // hostNetwork: the phone itself
    expect(config.llmModel).toBe('GEMMA_3_1B_IT')
    expect(config.logFormat).toBe('json')
    // /llm's curl gives up (--max-time) before the app kills the command.
    const maxTime = Number(/--max-time (\d+)/.exec(parseCommandsFile(commandsConf()).commands.get('llm')!.command)![1])
    expect(maxTime * 1000).toBeLessThan(config.commandTimeoutMs)
  })

  it('reads the commands file where the ConfigMap key is mounted', () => {
    const env = chatEnv()
    const mount = chatContainer().volumeMounts.find((m: any) => env.COMMANDS_FILE!.startsWith(`${m.mountPath}/`))
    expect(mount).toBeDefined()
    expect(mount.readOnly).toBe(true)
    const volume = podSpec().volumes.find((v: any) => v.name === mount.name)
    expect(volume.configMap.name).toBe(commandsConfigMap().metadata.name)
    const key = env.COMMANDS_FILE!.slice(mount.mountPath.length + 1)
    const items: any[] | undefined = volume.configMap.items
    const sourceKey = items ? items.find(i => i.path === key)?.key : key
    expect(Object.keys(commandsConfigMap().data)).toContain(sourceKey)
    expect(mount.subPath, 'subPath mounts never see ConfigMap updates').toBeUndefined()
  })

  it('opens the audience\'s port on the phone\'s loopback only, and lets exactly the hosted deck read the slide', () => {
    const config = loadConfig(chatEnv())
    expect(config.audiencePort).toBe(DEFAULT_AUDIENCE_PORT)
    expect(config.audiencePort).toBe(containerPort(chatContainer(), 'audience'))
    expect(config.audienceHost).toBe('127.0.0.1')
    const { deckUrl } = JSON.parse(read('project.json'))
    expect(config.deckOrigin).toBe(new URL(deckUrl).origin)
  })

  it('declares only the ports the app opens, and probes paths the real app serves (on the speaker\'s port)', async () => {
    const c = chatContainer()
    expect(c.ports).toEqual([
      { name: 'http', containerPort: Number(chatEnv().PORT) },
      { name: 'audience', containerPort: Number(chatEnv().AUDIENCE_PORT) },
    ])
    expect(c.readinessProbe.httpGet).toEqual({ path: '/api/readyz', port: 'http' })
    expect(c.livenessProbe.httpGet).toEqual({ path: '/api/healthz', port: 'http' })

    // The manifest's environment, but embedded SQLite and a free port: ask the real server.
    const { RQLITE_URL: _rqlite, COMMANDS_FILE: _file, ...env } = chatEnv()
    const config = loadConfig({ ...env, PORT: '0', AUDIENCE_PORT: '0', SQLITE_PATH: ':memory:' })
    const chat = await start(config, createLogger('json', {}, () => {}))
    try {
      await chat.storeReady
      for (const probe of [c.readinessProbe, c.livenessProbe]) {
        const answer = await fetch(`${chat.url}${probe.httpGet.path}`)
        expect(answer.status, probe.httpGet.path).toBe(200)
      }
      expect((await fetch(`${chat.url}/api/not-a-probe`)).status).toBe(404) // the check above can fail
    }
    finally {
      await chat.close()
    }
  })
})

describe('the Service', () => {
  it('is a ClusterIP Service on the app port, selecting the chat pods', () => {
    const s = service()
    expect(s.spec.type).toBe('ClusterIP')
    expect(s.spec.ports).toEqual([{ name: 'http', port: DEFAULT_PORT, targetPort: 'http' }])
    expect(deployment().spec.template.metadata.labels).toMatchObject(s.spec.selector)
    expect(containerPort(chatContainer(), s.spec.ports[0].targetPort)).toBe(DEFAULT_PORT)
  })

  it('has the port the scripts and the README use', () => {
    const port = service().spec.ports[0].port
    expect(read('chat-demo/scripts/01-deploy-chat.sh')).toContain(`CHAT_PORT=${port}\n`)
    const readme = read('chat-demo/README.md')
    const chatUrls = [...readme.matchAll(/http:\/\/(?:localhost|phone-[ab]|<[^>]+>|\$[A-Z_]+)(?::(\d+))?/g)]
      .map(m => m[1])
      .filter(p => p !== '8005')
    expect(chatUrls.length).toBeGreaterThan(0)
    expect(new Set(chatUrls)).toEqual(new Set([String(port)]))
  })

  it('the AI app address in the scripts is the one the pod uses', () => {
    const llmUrl = chatEnv().LLM_URL!
    expect(read('chat-demo/scripts/02-test-chat.sh')).toContain(`AI_URL="${llmUrl}"\n`)
    expect(read('chat-demo/scripts/04-check-llm.sh')).toContain(`PORT=${new URL(llmUrl).port}\n`)
  })
})

describe('the image', () => {
  it('is the one publish.sh pushes by default', () => {
    const sb = createSandbox()
    try {
      sb.stub('docker', 'exit 0') // buildx is there, and the build "succeeds"
      const r = sb.run('chat-demo/app/publish.sh')
      expect(r.code, r.output).toBe(0)
      const build = sb.calls('docker').find(c => c.argv[0] === 'buildx' && c.argv[1] === 'build')
      expect(build, 'docker buildx build was called').toBeDefined()
      expect(build!.argv[build!.argv.indexOf('--tag') + 1]).toBe(chatContainer().image)
      expect(build!.argv).toContain('--push')
      expect(build!.argv[build!.argv.indexOf('--platform') + 1]).toContain('linux/arm64')
    }
    finally {
      sb.cleanup()
    }
  })

  it('runs as the uid the pod asks for', () => {
    const dockerfile = read('chat-demo/app/Dockerfile')
    // The official node images' user "node" has uid and gid 1000.
    expect(dockerfile).toMatch(/^FROM node:[\w.-]+$/m)
    expect(dockerfile).toMatch(/^USER node$/m)
    expect(chatContainer().securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 })
  })
})

describe('the commands ConfigMap', () => {
  const parsed = parseCommandsFile(commandsConf())
  const commands = [...parsed.commands.values()]

  it('parses cleanly with the app parser: names, one-line descriptions, no reserved names', () => {
    expect(parsed.warnings).toEqual([])
    expect(commands.map(c => c.name)).toEqual([
      'whoami',
      'date',
      'echo',
      'llm',
      'models',
      'ai-status',
      'ai-help',
      'orientation',
      'detect',
      'capture',
    ])
    for (const c of commands) {
      expect(c.name).toMatch(COMMAND_NAME)
      expect(RESERVED_NAMES.has(c.name)).toBe(false)
      expect(c.description, `/${c.name} has a #: description`).toMatch(/^\S.{5,}$/)
    }
  })

  it('marks every command that uses the phone\'s camera or sensors speaker-only, and only those', () => {
    // The AI app's endpoints that look at the room or the phone (github.com/parttimenerd/local-android-ai).
    const sensing = /\$LLM_URL\/(?:capture|orientation|location|ai\/object_detection)\b/
    for (const c of commands) expect(c.speakerOnly, `/${c.name}`).toBe(sensing.test(c.command))
    expect(commands.filter(c => c.speakerOnly).map(c => c.name)).toEqual(['orientation', 'detect', 'capture'])
  })

  it('only ever uses the user text as "$ARG", quoted, never inside the command text', () => {
    for (const c of commands) {
      const uses = [...c.command.matchAll(/\$\{?ARG\b/g)]
      const quoted = [...c.command.matchAll(/"\$ARG"/g)]
      expect(quoted.length, `/${c.name}`).toBe(uses.length)
    }
  })

  it('calls the AI app\'s real API: POST /ai/text with {text, model} built by jq', () => {
    const llm = parsed.commands.get('llm')!.command
    expect(llm).toContain(`jq -cn --arg text "$ARG" --arg model "$LLM_MODEL" '{text: $text, model: $model}'`)
    expect(llm).toContain('"$LLM_URL/ai/text"')
    expect(llm).not.toMatch(/prompt/)
    expect(parsed.commands.get('detect')!.command).toContain('"$LLM_URL/ai/object_detection"')
    for (const c of commands.filter(x => x.command.includes('curl'))) {
      expect(c.command, `/${c.name} has a time limit`).toMatch(/curl -sS --max-time \d+ /)
      expect(c.command, `/${c.name} says when the AI app is missing`).toContain('No answer from the AI app at $LLM_URL')
    }
  })
})
