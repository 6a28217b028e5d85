import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

// .github/workflows/pages.yml, read as GitHub reads it: build with Node 24, publish dist/ on GitHub Pages.

const repoRoot = join(import.meta.dirname, '../..')
const workflow = parse(readFileSync(join(repoRoot, '.github/workflows/pages.yml'), 'utf8'))

interface Step { uses?: string, run?: string, with?: Record<string, unknown>, id?: string }
const steps = (job: string): Step[] => workflow.jobs[job].steps

describe('the GitHub Pages workflow', () => {
  it('runs on pushes to main and by hand, one deployment at a time', () => {
    expect(workflow.on.push.branches).toEqual(['main'])
    expect(workflow.on).toHaveProperty('workflow_dispatch')
    expect(workflow.concurrency.group).toBe('pages')
    expect(workflow.permissions).toEqual({ contents: 'read' })
  })

  it('builds the deck with Node 24 from the lock file, the way the README says', () => {
    const build = steps('build')
    expect(build[0].uses).toMatch(/^actions\/checkout@v\d+$/)
    const node = build.find(step => step.uses?.startsWith('actions/setup-node@'))
    expect(node?.with?.['node-version']).toBe(24)
    const commands = build.flatMap(step => (step.run ? [step.run] : []))
    expect(commands).toEqual([expect.stringMatching(/^npm ci\b/), 'npm run build'])
    const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
    expect(scripts.build).toBe('slidev build')
  })

  it('publishes dist/ (slidev build\'s output) with upload-pages-artifact and deploy-pages', () => {
    const upload = steps('build').find(step => step.uses?.startsWith('actions/upload-pages-artifact@'))
    expect(upload?.with?.path).toBe('dist')
    const deploy = workflow.jobs.deploy
    expect(deploy.needs).toBe('build')
    expect(deploy.permissions).toEqual({ 'pages': 'write', 'id-token': 'write' })
    expect(deploy.environment.name).toBe('github-pages')
    const step = steps('deploy').find(candidate => candidate.uses?.startsWith('actions/deploy-pages@'))
    expect(step?.id).toBe('deployment')
    expect(deploy.environment.url).toBe('${{ steps.deployment.outputs.page_url }}')
  })

  it('uses only GitHub\'s own actions, each at a major version', () => {
    const uses = Object.keys(workflow.jobs).flatMap(job => steps(job).flatMap(step => (step.uses ? [step.uses] : [])))
    expect(uses.length).toBe(4)
    for (const action of uses)
      expect(action).toMatch(/^actions\/[a-z-]+@v\d+$/)
  })
})
