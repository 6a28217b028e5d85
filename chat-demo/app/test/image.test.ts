// The container image, checked without a Docker engine: the Dockerfile's instructions, the build
// context filter, and publish.sh run against a stub `docker` that records its arguments.
import type { Sandbox } from '../../../test/support/shell-harness.ts'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { createSandbox } from '../../../test/support/shell-harness.ts'
import { DEFAULT_PORT } from '../src/config.ts'

const APP = fileURLToPath(new URL('..', import.meta.url))
const ROOT = join(APP, '../..')
const pkg = JSON.parse(readFileSync(join(APP, 'package.json'), 'utf8'))

interface Instruction {
  op: string
  args: string
}

/** Dockerfile instructions, with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map(line => line.trim())
    .filter(line => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/)
      return { op: op.toUpperCase(), args: rest.join(' ') }
    })
}

const all = instructions(readFileSync(join(APP, 'Dockerfile'), 'utf8'))
const lastFrom = all.map(i => i.op).lastIndexOf('FROM')
const runtime = all.slice(lastFrom)
const get = (op: string) => runtime.filter(i => i.op === op)

describe('Dockerfile', () => {
  it('is multi-stage on a pinned slim Node 24 image', () => {
    const froms = all.filter(i => i.op === 'FROM')
    expect(froms.length).toBeGreaterThanOrEqual(2)
    for (const from of froms) {
      const image = from.args.replace(/--platform=\S+\s+/, '').split(/\s+/)[0]
      // An exact version (24.x.y) with a slim variant, optionally a digest: never "latest" or "24".
      expect(image).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/)
    }
  })

  it('runs as a non-root user', () => {
    const users = get('USER')
    expect(users.length).toBeGreaterThan(0)
    expect(users.at(-1)?.args).not.toMatch(/^(root|0)(:|$)/)
  })

  it('exposes the port the app listens on, and sets it', () => {
    expect(get('EXPOSE').map(i => i.args)).toEqual([String(DEFAULT_PORT)])
    expect(get('ENV').map(i => i.args).join(' ')).toContain(`PORT=${DEFAULT_PORT}`)
  })

  it('starts the app entry point under tini, from the working directory', () => {
    const workdir = get('WORKDIR').at(-1)?.args
    expect(JSON.parse(get('ENTRYPOINT').at(-1)?.args ?? '[]')).toEqual(['/usr/bin/tini', '--'])
    const cmd = JSON.parse(get('CMD').at(-1)?.args ?? '[]') as string[]
    expect(cmd[0]).toBe('node')
    expect(cmd[1]).toBe('chat-demo/app/src/main.ts')
    expect(existsSync(join(ROOT, cmd[1] as string))).toBe(true)
    // The sources are copied to the same place relative to the working directory.
    expect(workdir).toBe('/app')
    expect(get('COPY').map(i => i.args)).toContain('chat-demo/app/src chat-demo/app/src')
  })

  it('installs the tools the ConfigMap commands use (curl, jq) and tini', () => {
    const apt = get('RUN').find(i => i.args.includes('apt-get install'))?.args ?? ''
    for (const tool of ['curl', 'jq', 'tini', 'ca-certificates']) expect(apt.split(/\s+/)).toContain(tool)
    expect(apt).toContain('--no-install-recommends')
    expect(apt).toContain('rm -rf /var/lib/apt/lists/*')
  })

  it('installs exactly the app\'s dependencies from the root lockfile, without dev dependencies', () => {
    const npm = all.find(i => i.op === 'RUN' && i.args.startsWith('npm '))?.args
    expect(npm).toBe('npm ci --omit=dev --workspace chat-demo/app --ignore-scripts --no-audit --no-fund')
    // Dependencies are resolved on the build machine's platform: they must be plain JavaScript.
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'))
    for (const name of Object.keys(pkg.dependencies)) {
      const entry = lock.packages[`node_modules/${name}`]
      expect(entry, name).toBeDefined()
      expect(entry.hasInstallScript, name).toBeUndefined()
      expect(entry.os ?? entry.cpu, name).toBeUndefined()
    }
  })

  it('copies only files that exist and that the context filter lets through', () => {
    const ignore = readFileSync(join(APP, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .map(line => line.trim())
      .filter(line => line && !line.startsWith('#'))
    expect(ignore[0]).toBe('*')
    const allowed = ignore.filter(line => line.startsWith('!')).map(line => line.slice(1))
    const sources = all
      .filter(i => i.op === 'COPY' && !i.args.startsWith('--from'))
      .flatMap(i => i.args.split(/\s+/).slice(0, -1))
    expect(sources.length).toBeGreaterThan(0)
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true)
      expect(allowed, source).toContain(source)
    }
  })
})

describe('publish.sh', () => {
  let sb: Sandbox
  afterEach(() => sb?.cleanup())

  const setup = () => {
    sb = createSandbox()
    sb.stub('docker', 'exit 0')
    return sb
  }

  it('builds both platforms from the repository root and pushes the default image', () => {
    setup()
    const r = sb.run('chat-demo/app/publish.sh')
    expect(r.code, r.output).toBe(0)
    expect(sb.argvs('docker')).toEqual([
      'buildx version',
      [
        'buildx build',
        '--platform linux/arm64,linux/amd64',
        `--file ${join(ROOT, 'chat-demo/app/Dockerfile')}`,
        `--tag ghcr.io/parttimenerd/k3s-on-phone-chat:${pkg.version}`,
        '--label org.opencontainers.image.source=https://github.com/parttimenerd/k3s-on-phone-demo',
        `--label org.opencontainers.image.version=${pkg.version}`,
        '--push',
        ROOT,
      ].join(' '),
    ])
    expect(r.stdout).toContain(`Pushed ghcr.io/parttimenerd/k3s-on-phone-chat:${pkg.version}`)
  })

  it.each([
    ['registry.example:5000/me/chat', `registry.example:5000/me/chat:${pkg.version}`],
    ['me/chat:dev', 'me/chat:dev'],
    [`me/chat@sha256:${'a'.repeat(64)}`, `me/chat@sha256:${'a'.repeat(64)}`],
  ])('pushes %s as %s', (arg, tag) => {
    setup()
    const r = sb.run('chat-demo/app/publish.sh', [arg])
    expect(r.code, r.output).toBe(0)
    expect(sb.argvs('docker')[1]).toContain(`--tag ${tag} `)
    expect(r.output).toContain('change it there')
  })

  it('prints its usage with -h and exits 2 on bad arguments, without calling docker', () => {
    setup()
    const help = sb.run('chat-demo/app/publish.sh', ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^Usage: chat-demo\/app\/publish\.sh \[IMAGE\[:TAG\]\]/)
    expect(sb.run('chat-demo/app/publish.sh', ['a', 'b']).code).toBe(2)
    expect(sb.run('chat-demo/app/publish.sh', ['--push']).code).toBe(2)
    expect(sb.calls('docker')).toEqual([])
  })

  it('says what to install when docker or buildx is missing', () => {
    setup()
    sb.remove('docker')
    const missing = sb.run('chat-demo/app/publish.sh')
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('\'docker\' is not installed.')
    sb.stub('docker', '[ "$1 $2" = "buildx version" ] && exit 1; exit 0')
    const noBuildx = sb.run('chat-demo/app/publish.sh')
    expect(noBuildx.code).toBe(1)
    expect(noBuildx.stderr).toContain('docker buildx is not available.')
  })

  it('pushes the image the cluster runs (chat.yaml)', () => {
    const manifest = readFileSync(join(ROOT, 'chat-demo/manifests/chat.yaml'), 'utf8')
    expect(manifest).toContain(`image: ghcr.io/parttimenerd/k3s-on-phone-chat:${pkg.version}\n`)
  })
})
