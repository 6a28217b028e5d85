// Every demo's manifests pass the loader the manifest tests read them with (test/support/manifests.ts):
// the Kubernetes schemas, no unknown or misspelt field, only the kinds the demos use. And the loader's
// checks really refuse a broken document, so "no problems" means something.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMOS } from '../../demos.ts'
import { REPO_ROOT } from '../../tools/phone-sim/layout.ts'
import { loadManifests, manifestProblems, parseManifest } from '../support/manifests.ts'

const echoYaml = readFileSync(join(REPO_ROOT, 'echo-demo/manifests/echo.yaml'), 'utf8')
/** What the loader says about echo.yaml with one change made to its text. */
function problemsOfEchoWith(from: string, to: string) {
  expect(echoYaml, `echo.yaml has ${from}`).toContain(from)
  return manifestProblems(parseManifest('echo.yaml', echoYaml.replace(from, to))).join('\n')
}

describe('the demos\' manifests', () => {
  it.each(DEMOS)('%s/manifests load: every document valid against its schema, strictly', (demo) => {
    expect(loadManifests(demo).length).toBeGreaterThan(0)
  })
})

describe('the manifest check', () => {
  it('finds nothing wrong with echo.yaml as it is', () => {
    expect(problemsOfEchoWith('replicas: 2', 'replicas: 2')).toBe('')
  })

  it('refuses a value of the wrong type', () => {
    expect(problemsOfEchoWith('containerPort: 80', 'containerPort: eighty')).toMatch(/echo\.yaml Deployment\/echo: .*containerPort/s)
    expect(problemsOfEchoWith('replicas: 2', 'replicas: two')).toMatch(/replicas/)
    expect(problemsOfEchoWith('port: 8081', 'port: "8081"')).toMatch(/echo\.yaml Service\/echo: .*port/s)
  })

  it('refuses a misspelt field, which the schemas alone let through', () => {
    expect(problemsOfEchoWith('readinessProbe:', 'readinessprobe:')).toMatch(/echo\.yaml Deployment\/echo: .*readinessprobe/s)
  })

  it('refuses a kind the demos don\'t use', () => {
    expect(problemsOfEchoWith('kind: Service', 'kind: Servic')).toMatch(/echo\.yaml Servic\/echo: a kind the demos don't use/)
  })

  it('stops the loader, which names each problem', () => {
    const root = mkdtempSync(join(tmpdir(), 'manifests-'))
    try {
      mkdirSync(join(root, 'echo-demo/manifests'), { recursive: true })
      writeFileSync(join(root, 'echo-demo/manifests/echo.yaml'), echoYaml.replace('readinessProbe:', 'readinessprobe:'))
      expect(() => loadManifests('echo-demo', root)).toThrow(/^echo-demo\/manifests:\necho\.yaml Deployment\/echo: .*readinessprobe/s)
    }
    finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
