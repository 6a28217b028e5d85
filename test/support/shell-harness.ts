/**
 * Shell harness for the laptop-side build script chat-demo/app/publish.sh: runs it with bash against a
 * recording stand-in for docker, the one program it calls (the demo scripts run in the simulated
 * phones instead: tools/phone-sim).
 *
 *   import { createSandbox } from './shell-harness'
 *
 *   const sb = createSandbox()          // a temp dir; afterEach(() => sb.cleanup())
 *   sb.stub('kubectl', 'echo "ok"')     // bin/kubectl: records its call, then runs this bash body
 *                                       // (the body sees the call's arguments as "$@")
 *   sb.write('root/etc/x.yaml', 'a: 1') // a file inside the sandbox (mode optional)
 *   const r = sb.run('echo-demo/scripts/02-verify-cluster.sh', ['--help'], { env: { X: '1' }, input: '' })
 *   r.code; r.stdout; r.stderr; r.output   // output = stdout + stderr
 *   sb.calls()                          // every recorded call, in order: { cmd, argv, env }
 *   sb.calls('kubectl')                 // only one program's calls
 *   sb.argvs('kubectl')                 // their argument lists joined by spaces, handy for toContain
 *   sb.resetCalls()                     // forget the calls so far (e.g. after setting the scene)
 *
 * The environment of a run is small and predictable (nothing leaks in from the test runner):
 *   PATH          sandbox bin/ (the stubs) first, then tools/ (links to a fixed list of basic
 *                 system tools: bash, sed, awk, grep, sort, …). Anything else — curl, kubectl,
 *                 sudo, systemctl, tailscale — exists only if the test stubs it, so "X is missing"
 *                 is simply "don't stub X".
 *   HOME          sandbox home/        USER/LOGNAME  droid
 *   DEMO_SYSROOT  sandbox root/ — the scripts prefix system paths (/etc/rancher/…) with it
 *   STUB_SANDBOX  the sandbox dir      LANG C.UTF-8
 * The working directory is sandbox work/, to show the scripts don't depend on it.
 *
 * Built-in stubs (replace them with sb.stub(name, body) if a test needs something else):
 *   sleep  records and returns at once, so waits with timeouts run instantly and deterministically.
 *   sudo   records, then runs its arguments — but refuses (exit 97) any absolute path outside the
 *          sandbox, so a script that forgot DEMO_SYSROOT fails its test instead of touching the host.
 *
 * Each call is stored as its own file under log/ (name = time + pid), NUL-separated:
 * cmd, argc, args…, then the whole environment as KEY=VALUE entries.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BASIC_TOOLS } from '../../tools/phone-sim/layout.ts'

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Basic tools the scripts may use without a stub: the simulation's real ones, and id and timeout. */
const TOOLS = [...BASIC_TOOLS, 'id', 'timeout']

export interface Call {
  cmd: string
  argv: string[]
  env: Record<string, string>
}

export interface RunResult {
  code: number
  stdout: string
  stderr: string
  output: string
}

export interface RunOptions {
  env?: Record<string, string>
  input?: string
}

export interface Sandbox {
  dir: string
  bin: string
  home: string
  root: string
  stub: (name: string, body?: string) => void
  remove: (name: string) => void
  write: (relPath: string, content: string, mode?: number) => string
  path: (relPath: string) => string
  run: (script: string, args?: string[], opts?: RunOptions) => RunResult
  calls: (cmd?: string) => Call[]
  argvs: (cmd: string) => string[]
  resetCalls: () => void
  cleanup: () => void
}

const RECORD = `#!/bin/bash
# Sourced by every stub: record one call (cmd, argc, args, environment) as one file.
stub_record() {
  local f="$STUB_SANDBOX/log/\${EPOCHREALTIME/./}-$$-$RANDOM"
  { printf '%s\\0' "$@"; env -0; } >"$f.tmp" && mv "$f.tmp" "$f"
}
`

const SUDO = `
for a in "$@"; do
  p=\${a#*=}; p=\${p#file:}
  case "$p" in
    /dev/null | "$STUB_SANDBOX" | "$STUB_SANDBOX"/*) ;;
    /*) echo "sudo stub: refusing $a (outside the sandbox)" >&2; exit 97 ;;
  esac
done
exec "$@"
`

function findTool(name: string): string | undefined {
  for (const d of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    if (existsSync(join(d, name)))
      return join(d, name)
  }
  return undefined
}

export function createSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'shell-harness-'))
  const bin = join(dir, 'bin')
  const tools = join(dir, 'tools')
  const home = join(dir, 'home')
  const root = join(dir, 'root')
  for (const d of [bin, tools, home, root, join(dir, 'log'), join(dir, 'work')]) mkdirSync(d, { recursive: true })
  for (const t of TOOLS) {
    const p = findTool(t)
    if (p)
      symlinkSync(p, join(tools, t))
  }
  writeFileSync(join(dir, 'record.sh'), RECORD)

  const runEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    PATH: `${bin}:${tools}`,
    HOME: home,
    USER: 'droid',
    LOGNAME: 'droid',
    LANG: 'C.UTF-8',
    DEMO_SYSROOT: root,
    STUB_SANDBOX: dir,
    ...extra,
  })

  const sb: Sandbox = {
    dir,
    bin,
    home,
    root,
    stub(name, body = '') {
      const file = join(bin, name)
      writeFileSync(file, `#!/bin/bash\n. "$STUB_SANDBOX/record.sh"\nstub_record ${JSON.stringify(name)} "$#" "$@"\n${body}\n`)
      chmodSync(file, 0o755)
    },
    remove(name) {
      rmSync(join(bin, name), { force: true })
    },
    write(relPath, content, mode) {
      const file = join(dir, relPath)
      mkdirSync(dirname(file), { recursive: true })
      writeFileSync(file, content)
      if (mode !== undefined)
        chmodSync(file, mode)
      return file
    },
    path(relPath) {
      return join(dir, relPath)
    },
    run(script, args = [], opts = {}) {
      const r = spawnSync(findTool('bash')!, [resolve(REPO_ROOT, script), ...args], {
        cwd: join(dir, 'work'),
        env: runEnv(opts.env),
        input: opts.input ?? '',
        encoding: 'utf8',
        timeout: 20_000,
      })
      if (r.error)
        throw r.error
      const stdout = r.stdout ?? ''
      const stderr = r.stderr ?? ''
      return { code: r.status ?? -1, stdout, stderr, output: stdout + stderr }
    },
    calls(cmd) {
      const logDir = join(dir, 'log')
      const files = readdirSync(logDir).filter(f => !f.endsWith('.tmp')).sort()
      const all = files.map((f) => {
        const parts = readFileSync(join(logDir, f), 'utf8').split('\0')
        const argc = Number(parts[1])
        const env: Record<string, string> = {}
        for (const kv of parts.slice(2 + argc)) {
          const i = kv.indexOf('=')
          if (i > 0)
            env[kv.slice(0, i)] = kv.slice(i + 1)
        }
        return { cmd: parts[0], argv: parts.slice(2, 2 + argc), env }
      })
      return cmd === undefined ? all : all.filter(c => c.cmd === cmd)
    },
    argvs(cmd) {
      return sb.calls(cmd).map(c => c.argv.join(' '))
    },
    resetCalls() {
      const logDir = join(dir, 'log')
      for (const f of readdirSync(logDir)) rmSync(join(logDir, f), { force: true })
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
  sb.stub('sleep')
  sb.stub('sudo', SUDO)
  return sb
}
