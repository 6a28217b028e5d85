// .github/workflows/chat-image.yml publishes the image chat.yaml runs: the same name and tag as the
// manifest and as chat-demo/app/package.json's version, built for the phones and for laptops with
// the ecosystem's own actions, pushed when that version changes and only when it is new.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { chatContainer, deployment, REPO_ROOT } from './manifests.ts'

const workflow = parse(readFileSync(resolve(REPO_ROOT, '.github/workflows/chat-image.yml'), 'utf8'))
const steps: any[] = workflow.jobs.image.steps
const step = (action: string) => steps.find(s => typeof s.uses === 'string' && s.uses.startsWith(`${action}@`))
const version: string = JSON.parse(readFileSync(resolve(REPO_ROOT, 'chat-demo/app/package.json'), 'utf8')).version

describe('the chat image workflow', () => {
  it('pushes the image the manifest runs: its name, tagged with package.json\'s version', () => {
    const [repository, tag] = (chatContainer().image as string).split(/:(?=[^:/]+$)/)
    expect(workflow.env.IMAGE).toBe(repository)
    expect(tag).toBe(version)
    expect(deployment().metadata.labels?.['app.kubernetes.io/version']).toBe(version)
    // eslint-disable-next-line no-template-curly-in-string -- literal GitHub Actions expressions, as the workflow holds them
    expect(step('docker/build-push-action').with.tags).toBe('${{ env.IMAGE }}:${{ steps.version.outputs.version }}')
    const read = steps.find(s => s.id === 'version')
    expect(read.run).toContain('jq -r .version chat-demo/app/package.json')
  })

  it('runs when the app\'s version file changes on main (or by hand), and skips a version that exists', () => {
    expect(workflow.on.push).toEqual({ branches: ['main'], paths: ['chat-demo/app/package.json'] })
    expect(workflow.on).toHaveProperty('workflow_dispatch')
    const check = steps.find(s => s.id === 'published')
    expect(check.run).toContain('docker manifest inspect "$IMAGE:$VERSION"')
    for (const action of ['docker/setup-qemu-action', 'docker/setup-buildx-action', 'docker/build-push-action']) {
      expect(step(action).if, action).toBe('steps.published.outputs.exists == \'false\'')
    }
  })

  it('builds linux/arm64 and linux/amd64 from the Dockerfile, with the repository root as context', () => {
    const build = step('docker/build-push-action').with
    expect(build.platforms.split(',').sort()).toEqual(['linux/amd64', 'linux/arm64'])
    expect(build.context).toBe('.')
    expect(build.file).toBe('chat-demo/app/Dockerfile')
    expect(build.push).toBe(true)
    expect(step('docker/setup-qemu-action').with.platforms).toBe('arm64')
  })

  it('logs in to ghcr.io with the workflow\'s own token, and may write packages only', () => {
    const login = step('docker/login-action').with
    // eslint-disable-next-line no-template-curly-in-string -- literal GitHub Actions expressions, as the workflow holds them
    expect(login).toEqual({ registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' })
    expect(workflow.permissions).toEqual({ contents: 'read', packages: 'write' })
    expect(steps.findIndex(s => s.uses?.startsWith('docker/login-action@'))).toBeLessThan(steps.findIndex(s => s.id === 'published'))
  })

  it('uses the ecosystem\'s own actions, each at a major version', () => {
    const uses = steps.flatMap(s => (s.uses ? [s.uses as string] : []))
    expect(uses.map(u => u.split('@')[0])).toEqual(['actions/checkout', 'docker/login-action', 'docker/setup-qemu-action', 'docker/setup-buildx-action', 'docker/build-push-action'])
    for (const action of uses) expect(action).toMatch(/^(actions|docker)\/[a-z-]+@v\d+$/)
    // Step outputs reach shell code only through env, never pasted into it.
    for (const s of steps) {
      if (s.run)
        expect(s.run, s.name).not.toMatch(/\$\{\{/)
    }
  })
})
