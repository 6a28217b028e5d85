// .github/workflows/pages.yml does what the README promises: on every push to main it builds the deck with
// the README's commands, under the base path GitHub Pages serves it at, and deploys what the build wrote.
// (Its schema is test/lint/workflows.test.ts's; the built deck itself, served under that path, test/browser's.)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import viteConfig from '../../vite.config.ts'

const repoRoot = join(import.meta.dirname, '../..')
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8')

const workflow = parse(read('.github/workflows/pages.yml'))
const steps = (job: string): any[] => workflow.jobs[job].steps
const usesAction = (job: string, action: string) => steps(job).find(step => step.uses?.startsWith(`${action}@`))
const packageJson = JSON.parse(read('package.json'))
const project = JSON.parse(read('project.json'))

/** The README's build command: the first cell of its "Build, host, export" table. */
const readmeBuild = /^\| `(npm run build)` \| writes the static deck to `(\w+)\/`/m.exec(read('README.md'))

describe('the GitHub Pages workflow', () => {
  it('runs on every push to main, whatever it changes (the slides show the demos\' files)', () => {
    expect(workflow.on.push.branches).toContain('main')
    expect(workflow.on.push.paths).toBeUndefined()
  })

  it('builds with the README\'s command, after installing from the lock file, on a Node the project supports', () => {
    expect(readmeBuild, 'the README names the build command').not.toBeNull()
    const commands = steps('build').flatMap(step => (step.run ? [step.run as string] : []))
    expect(commands).toEqual([expect.stringMatching(/^npm ci\b/), readmeBuild![1]])
    const minimum = (packageJson.engines.node as string).replace(/^>=/, '').split('.').map(Number)
    expect(Number(usesAction('build', 'actions/setup-node').with['node-version'])).toBeGreaterThanOrEqual(minimum[0]!)
  })

  it('builds under the base path GitHub Pages serves this repository at: /REPO/ of project.json\'s deckUrl', async () => {
    const [, owner, repository] = /^https:\/\/github\.com\/([^/]+)\/([^/]+)$/.exec(project.repository)!
    expect(project.deckUrl).toBe(`https://${owner}.github.io/${repository}/`)
    const config = await viteConfig({ command: 'build', mode: 'production' })
    expect(config.base).toBe(`/${repository}/`)
    expect(steps('build').map(step => step.run ?? '').join('\n'), 'no --base that overrides it').not.toMatch(/--base/)
  })

  it('deploys the folder the build writes (dist/, as the README says) to GitHub Pages', () => {
    expect(packageJson.scripts.build, 'the build writes to Slidev\'s default folder').not.toMatch(/--out|-o\b/)
    expect(usesAction('build', 'actions/upload-pages-artifact').with.path).toBe(readmeBuild![2])
    expect(readmeBuild![2]).toBe('dist')
    const deploy = workflow.jobs.deploy
    expect(deploy.needs).toBe('build')
    expect(usesAction('deploy', 'actions/deploy-pages')).toBeDefined()
    expect(deploy.permissions).toMatchObject({ 'pages': 'write', 'id-token': 'write' })
  })
})
