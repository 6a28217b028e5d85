// Every workflow in .github/ against GitHub's workflow schema, with action-validator (its WebAssembly
// build from npm, @action-validator/cli): a typo in a key fails here, not on GitHub after a push.
import { execFileSync } from 'node:child_process'
import { readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const validator = resolve(root, 'node_modules/@action-validator/cli/cli.mjs')
const workflows = readdirSync(join(root, '.github/workflows')).filter(f => /\.ya?ml$/.test(f)).sort()

function validate(file: string): { ok: boolean, output: string } {
  try {
    const output = execFileSync(process.execPath, [validator, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    return { ok: true, output }
  }
  catch (error) {
    const e = error as { stdout?: string, stderr?: string }
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` }
  }
}

describe('GitHub workflows', () => {
  it('are the ones this repository has', () => {
    expect(workflows).toEqual(['chat-image.yml', 'pages.yml'])
  })

  it.each(workflows)('%s passes the workflow schema', (file) => {
    const result = validate(join(root, '.github/workflows', file))
    expect(result.ok, result.output).toBe(true)
  })

  it('the validator really refuses a broken workflow (the check above can fail)', () => {
    const broken = join(tmpdir(), `broken-workflow-${process.pid}.yml`)
    writeFileSync(broken, 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - usez: actions/checkout@v5\n')
    const result = validate(broken)
    expect(result.ok).toBe(false)
    expect(result.output).toMatch(/usez/)
  })
})
