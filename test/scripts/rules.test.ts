// The rules every shell script of the repository follows: the demo scripts (echo-demo/scripts,
// chat-demo/scripts), the commands in scripts/ and chat-demo/app/publish.sh, with scripts/lib/demo.sh
// as their library. Each one reads top to bottom: `#!/usr/bin/env bash`, a usage comment block, strict
// mode, the shared helpers; --help prints that block and a bad argument is a usage error (exit 2),
// both before anything runs; shellcheck is clean; the slide shows a short region of it.
// What each script does is tested in its own file (test/echo-demo, test/chat-demo, test/scripts …).
import type { SpawnSyncReturns } from 'node:child_process'
import type { Sim } from '../../tools/phone-sim/index.ts'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { demoFolders, DEMOS } from '../../demos.ts'
import { createSim, REPO_ROOT } from '../../tools/phone-sim/index.ts'

const LIBRARY = 'scripts/lib/demo.sh'

/** Every *.sh under FOLDER (from the repository root), as paths from the root. */
function shellScripts(folder: string): string[] {
  return readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter(file => file.endsWith('.sh') && !file.split('/').includes('node_modules'))
    .map(file => `${folder}/${file}`)
}

const ALL = ['scripts', ...DEMOS].flatMap(shellScripts).sort()
const SCRIPTS = ALL.filter(file => file !== LIBRARY)
const DEMO_SCRIPTS = SCRIPTS.filter(file => demoFolders('scripts').includes(dirname(file)))
const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8')

/** The script's usage text: its first comment block after the #! line, as `usage` in demo.sh prints it. */
function usageText(file: string): string {
  const block: string[] = []
  for (const line of read(file).split('\n').slice(1)) {
    if (!line.startsWith('#'))
      break
    block.push(line.replace(/^# ?/, ''))
  }
  return `${block.join('\n')}\n`
}

/** The lines between `# #region slide` and `# #endregion slide`, or undefined without a region. */
function slideRegion(file: string): string[] | undefined {
  const lines = read(file).split('\n')
  const start = lines.indexOf('# #region slide')
  return start < 0 ? undefined : lines.slice(start + 1, lines.indexOf('# #endregion slide'))
}

/** The lines that call curl (not the ones that only name it in a message). */
const curlCalls = (text: string) => text.split('\n').map(line => line.trim()).filter(line => /(?:^|[|;&(]\s*)curl\s+-/.test(line))

/** The repository's files a script names: "$REPO_ROOT/…" and "$MANIFESTS/…" (not the local, ignored ones like .tailscale-key). */
function repositoryPaths(text: string): string[] {
  const manifests = /^MANIFESTS="\$REPO_ROOT\/([\w./-]+)"$/m.exec(text)?.[1]
  return [
    ...[...text.matchAll(/\$REPO_ROOT"?\/([\w/-][\w./-]*)/g)].map(m => m[1]!),
    ...[...text.matchAll(/\$MANIFESTS\/([\w.-]+)/g)].map(m => `${manifests}/${m[1]}`),
  ]
}

/**
 * Further usage errors, beyond an unknown option (which every script refuses): a script's own checks
 * of its arguments — a missing one, one too many, a number out of range, a name a node can't have.
 */
const USAGE_ERRORS: Record<string, string[][]> = {
  'echo-demo/scripts/01-install-k3s.sh': [['--node-name'], ['--node-name', 'Phone_A']],
  'echo-demo/scripts/02-verify-cluster.sh': [['extra']],
  'echo-demo/scripts/04-curl.sh': [['extra']],
  'echo-demo/scripts/04b-curl-hostname.sh': [['0'], ['many'], ['1', '2']],
  'echo-demo/scripts/04c-curl-nodename.sh': [['0'], ['1001'], ['-5']],
  'echo-demo/scripts/05-scale-echo.sh': [['abc'], ['11'], ['1', '2']],
  'echo-demo/scripts/07-setup-tailscale.sh': [[], ['phone-a', 'phone-b'], ['Phone A']],
  'echo-demo/scripts/08-join-cluster.sh': [[], ['phone-a', '--node-name', 'phone-a'], ['phone-a', 'phone-c'], ['phone-a', '--bogus']],
  'echo-demo/scripts/09-verify-multi-node.sh': [['extra']],
  'chat-demo/scripts/00-label-llm.sh': [['phone-a', 'phone-b'], ['Phone_A']],
  'chat-demo/scripts/99-unset-llm-label.sh': [['phone-a', 'phone-b'], ['Phone_A']],
  'chat-demo/scripts/02-test-chat.sh': [['extra']],
  'scripts/check-phone.sh': [['--peer'], ['--peer', 'Phone A']],
  'scripts/fetch-kubeconfig.sh': [[], ['phone-a', 'phone-b'], ['--output']],
}
const usageErrors = SCRIPTS.flatMap(file => [['--no-such-option'], ...(USAGE_ERRORS[file] ?? [])].map(args => [file, args] as const))

describe('the shell scripts', () => {
  it('are found: the demos\' scripts, the commands in scripts/ and their library', () => {
    expect(ALL).toContain(LIBRARY)
    expect(ALL).toContain('scripts/check-phone.sh')
    expect(ALL).toContain('chat-demo/app/publish.sh')
    for (const folder of demoFolders('scripts'))
      expect(DEMO_SCRIPTS.filter(file => file.startsWith(`${folder}/`)).length, folder).toBeGreaterThan(5)
  })

  it('name files of the repository often enough for that rule to mean something', () => {
    expect(ALL.flatMap(file => repositoryPaths(read(file))).length).toBeGreaterThan(10)
  })

  it('call curl often enough for the time limit rule to mean something', () => {
    expect(SCRIPTS.flatMap(file => curlCalls(read(file))).length).toBeGreaterThan(10)
  })

  it('with their own usage errors name scripts that exist', () => {
    for (const file of Object.keys(USAGE_ERRORS))
      expect(SCRIPTS, file).toContain(file)
  })

  it.each(DEMOS)('of %s are each named in its README', (demo) => {
    const readme = read(`${demo}/README.md`)
    for (const file of DEMO_SCRIPTS.filter(script => script.startsWith(`${demo}/`)))
      expect(readme, file).toContain(`scripts/${basename(file)}`)
  })
})

describe.each(SCRIPTS)('%s', (file) => {
  const text = read(file)

  it('opens with #!/usr/bin/env bash and a usage block that names it', () => {
    expect(text).toMatch(/^#!\/usr\/bin\/env bash\n# Usage: \S+/)
    const named = /^# Usage: (\S+)/m.exec(text)![1]
    expect([basename(file), file], 'the usage names the script, or its path from the repository root').toContain(named)
  })

  it('is executable', () => {
    expect(statSync(join(REPO_ROOT, file)).mode & 0o111).not.toBe(0)
  })

  it('sets strict mode, then sources scripts/lib/demo.sh (so that shellcheck follows it)', () => {
    const lines = text.split('\n')
    const strict = lines.indexOf('set -euo pipefail')
    const up = relative(dirname(file), '.') // '..' or '../..'
    const source = lines.indexOf(`source "$(cd "$(dirname "\${BASH_SOURCE[0]}")/${up}" && pwd)/${LIBRARY}"`)
    expect(strict, 'set -euo pipefail').toBeGreaterThan(0)
    expect(source, `source …/${LIBRARY}`).toBeGreaterThan(strict)
    expect(lines[source - 1]).toBe(`# shellcheck source-path=SCRIPTDIR/${up} source=${LIBRARY}`)
  })
})

describe('every script and the library', () => {
  it.each(ALL)('%s gives every curl a time limit (a phone asleep must not hang a demo), but the installers\' downloads', (file) => {
    for (const call of curlCalls(read(file)).filter(line => !/ https:\/\/(?:get\.k3s\.io|tailscale\.com\/install\.sh)\b/.test(line)))
      expect(call).toMatch(/--max-time|(^|\s)-m\s/)
  })

  it.each(ALL)('%s names only files of the repository that exist', (file) => {
    for (const path of repositoryPaths(read(file)))
      expect(existsSync(join(REPO_ROOT, path)), `${file}: ${path}`).toBe(true)
  })

  it.each(ALL)('%s puts no sudo before kubectl, takes no node name from $(hostname), does not cd into the repository', (file) => {
    expect(read(file)).not.toMatch(/sudo kubectl|\$\(hostname\)|\bcd "?\$REPO_ROOT/)
  })
})

describe('the slide regions', () => {
  // chat-demo/app/publish.sh, the app's build command, is on no slide: its region is not held to this.
  const onSlides = SCRIPTS.filter(file => !file.startsWith('chat-demo/app/'))

  it.each(onSlides)('%s: at most one, and short: a handful of lines read aloud', (file) => {
    const text = read(file)
    expect(text.match(/^# #region slide$/gm)?.length ?? 0).toBeLessThanOrEqual(1)
    expect(text.match(/^# #endregion slide$/gm)?.length ?? 0).toBe(text.match(/^# #region slide$/gm)?.length ?? 0)
    const region = slideRegion(file)
    if (region) {
      expect(region.length).toBeGreaterThanOrEqual(1)
      expect(region.length).toBeLessThanOrEqual(6)
    }
  })

  it.each(DEMO_SCRIPTS)('%s has one (a demo script is on a slide)', (file) => {
    expect(slideRegion(file)).toBeDefined()
  })
})

describe('the arguments, before anything runs', () => {
  let sim: Sim
  beforeAll(() => {
    sim = createSim()
  })
  beforeEach(() => sim.resetCalls())
  afterAll(() => sim.cleanup())

  it.each(SCRIPTS)('%s --help prints the usage block, exits 0 and runs nothing', (file) => {
    const r = sim.run('phone-a', file, ['--help'])
    expect(r.code, r.output).toBe(0)
    expect(r.stdout).toBe(usageText(file))
    expect(sim.calls()).toEqual([])
  })

  it.each(usageErrors)('%s %j is a usage error: exit 2, the error and the usage on stderr, nothing run', (file, args) => {
    const r = sim.run('phone-a', file, [...args])
    expect(r.code, r.output).toBe(2)
    expect(r.stderr).toMatch(/^error: \S/)
    expect(r.stderr).toContain(usageText(file))
    expect(r.stdout).toBe('')
    expect(sim.calls()).toEqual([])
  })
})

describe('shellcheck', () => {
  // One run for all files (-x follows `source` into the library); the findings, file by file.
  let run: SpawnSyncReturns<string>
  let findings: { file: string, line: number, code: number, message: string }[]
  beforeAll(() => {
    run = spawnSync('shellcheck', ['-x', '--format=json1', ...ALL], { cwd: REPO_ROOT, encoding: 'utf8' })
    findings = run.error ? [] : JSON.parse(run.stdout || '{"comments":[]}').comments
  }, 300_000) // about 12 s of CPU: minutes on a loaded machine

  it('is installed (sudo apt install shellcheck)', () => {
    expect(run.error).toBeUndefined()
    expect(run.stderr).toBe('')
  })

  it.each(ALL)('%s is clean', (file) => {
    expect(findings.filter(finding => finding.file === file).map(f => `${f.file}:${f.line}: SC${f.code} ${f.message}`)).toEqual([])
  })
})
