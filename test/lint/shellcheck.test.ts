// shellcheck on every shell script of the demos (scripts/, echo-demo/, chat-demo/).
// It fails when shellcheck is missing: install it with `sudo apt install shellcheck` (.ci/run does).
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, test } from 'vitest'
import { REPO_ROOT } from '../../tools/phone-sim/layout.ts'

const DIRS = ['scripts', 'echo-demo', 'chat-demo']

function shellScripts(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : shellScripts(path)
    return e.name.endsWith('.sh') ? [path] : []
  })
}

const scripts = DIRS.flatMap((d) => shellScripts(join(REPO_ROOT, d))).map((p) => relative(REPO_ROOT, p)).sort()

describe('shellcheck', () => {
  test('is installed', () => {
    const r = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' })
    expect(r.error, 'shellcheck is missing: sudo apt install shellcheck').toBeUndefined()
    expect(r.status).toBe(0)
  })

  test('finds the scripts', () => {
    expect(scripts).toContain('scripts/lib/demo.sh')
    expect(scripts).toContain('echo-demo/scripts/01-install-k3s.sh')
    expect(scripts.length).toBeGreaterThan(12)
  })

  // -x follows `source` (the scripts point shellcheck at scripts/lib/demo.sh with a directive).
  test.each(scripts)('%s is clean', (file) => {
    const r = spawnSync('shellcheck', ['-x', '--format=gcc', file], { cwd: REPO_ROOT, encoding: 'utf8' })
    expect(r.error).toBeUndefined()
    expect(r.stdout + r.stderr).toBe('')
    expect(r.status).toBe(0)
  })
})
