import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expandCodeWithScript, regionLines } from '../../build/code-with-script.ts'

function repoWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cws-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

const script = '#!/usr/bin/env bash\nset -euo pipefail\n# #region slide\nkubectl apply -f echo.yaml\n# #endregion slide\necho done\n'

describe('the CodeWithScript transformer', () => {
  it('expands the tag into the component around a build-time snippet import of the region', () => {
    const root = repoWith({ 'demo/run.sh': script })
    expect(expandCodeWithScript('# Deploy\n\n<CodeWithScript scriptPath="./demo/run.sh" region="slide" lines="{1}" />\n', root)).toBe(
      '# Deploy\n\n<CodeWithScript path="demo/run.sh" region="slide">\n\n<<< @/demo/run.sh#slide bash {1}\n\n</CodeWithScript>\n',
    )
  })

  it('imports a whole YAML file with its language', () => {
    const root = repoWith({ 'm/echo.yaml': 'kind: Service\n' })
    expect(expandCodeWithScript('<CodeWithScript scriptPath="m/echo.yaml"/>', root)).toContain('<<< @/m/echo.yaml yaml')
  })

  it('keeps other attributes such as a class', () => {
    const root = repoWith({ 'a.sh': script })
    expect(expandCodeWithScript('<CodeWithScript scriptPath="a.sh" class="text-xs" />', root)).toContain('<CodeWithScript path="a.sh" class="text-xs">')
  })

  it('fails on a missing file, a missing region, a path out of the repository and hand-typed code', () => {
    const root = repoWith({ 'a.sh': script })
    expect(() => expandCodeWithScript('<CodeWithScript scriptPath="b.sh" />', root)).toThrow(/not found/)
    expect(() => expandCodeWithScript('<CodeWithScript scriptPath="a.sh" region="keys" />', root)).toThrow(/no region "keys"/)
    expect(() => expandCodeWithScript('<CodeWithScript scriptPath="../etc/passwd" />', root)).toThrow(/leaves the repository/)
    expect(() => expandCodeWithScript('<CodeWithScript scriptPath="a.sh">\n```bash\nkubectl get pods\n```\n</CodeWithScript>', root)).toThrow(/takes no code/)
    expect(() => expandCodeWithScript('<CodeWithScript scriptPath="a.sh" lines="2; rm" />', root)).toThrow(/lines must look like/)
  })

  it('leaves markdown without the tag alone', () => {
    expect(expandCodeWithScript('# Title\n\n```bash\nls\n```\n', '/nonexistent')).toBe('# Title\n\n```bash\nls\n```\n')
  })
})

describe('regionLines', () => {
  it('finds shell and YAML regions and nothing else', () => {
    expect(regionLines(script, 'slide')).toEqual(['kubectl apply -f echo.yaml'])
    expect(regionLines('a: 1\n  # #region probes\n  b: 2\n  # #endregion probes\n', 'probes')).toEqual(['  b: 2'])
    expect(regionLines(script, 'other')).toBeUndefined()
    expect(regionLines('# #region open\nno end\n', 'open')).toBeUndefined()
  })
})
