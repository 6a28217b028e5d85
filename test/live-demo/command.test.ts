// What a terminal's start request runs (live-demo/node/command.ts): the allow-listed script or the shell, on
// this laptop or over ssh on a configured phone — decided before anything starts. (Running them for real:
// hub.test.ts, and ssh.test.ts against a real sshd.)
import type { CommandContext } from '../../live-demo/node/command.ts'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { commandFor } from '../../live-demo/node/command.ts'
import { createDemoRepo } from './hub-client.ts'

let repo: ReturnType<typeof createDemoRepo>
let context: CommandContext

beforeEach(() => {
  repo = createDemoRepo()
  context = {
    root: repo.root,
    dirs: ['echo-demo/scripts'],
    phones: { clone: 'k8s-on-phone', checkScript: 'scripts/check-phone.sh', phones: { 'phone-a': { user: 'droid', host: 'phone-a' } } },
    ssh: { configFile: '/tmp/test-ssh-config', connectTimeout: 2 },
  }
})

afterEach(() => repo.cleanup())

describe('on this laptop', () => {
  it('runs a demo script with bash, by its real path, its arguments as argv', () => {
    expect(commandFor({ script: 'echo-demo/scripts/hello.sh', args: ['a b', '$(id)'] }, context)).toEqual({
      file: '/bin/bash',
      args: [join(repo.root, 'echo-demo/scripts/hello.sh'), 'a b', '$(id)'],
      label: 'echo-demo/scripts/hello.sh',
    })
  })

  it('opens the user\'s shell only when asked for the shell', () => {
    expect(commandFor({ shell: true }, context)).toEqual({ file: process.env.SHELL || '/bin/bash', args: [], label: 'shell' })
  })

  it('refuses what the guard refuses', () => {
    expect(() => commandFor({ script: 'echo-demo/scripts/evil.sh' }, context)).toThrow(/not a demo script/)
    expect(() => commandFor({ script: '../etc/passwd.sh' }, context)).toThrow(/\.\./)
  })
})

describe('on a phone', () => {
  it('runs the same script over ssh in the phone\'s clone, with a terminal, every argument quoted for the remote shell', () => {
    const command = commandFor({ script: 'echo-demo/scripts/hello.sh', args: ['it\'s', 'two words'], on: 'phone-a' }, context)
    expect(command).toMatchObject({ file: 'ssh', label: 'phone-a: echo-demo/scripts/hello.sh', on: 'phone-a', phone: { host: 'phone-a' } })
    expect(command.args.slice(0, 3)).toEqual(['-F', '/tmp/test-ssh-config', '-t'])
    expect(command.args.slice(-5, -1)).toEqual(['-l', 'droid', '--', 'phone-a'])
    expect(command.args.at(-1)).toBe(`cd "$HOME"/'k8s-on-phone' && exec bash './echo-demo/scripts/hello.sh' 'it'\\''s' 'two words'`)
  })

  it('opens a shell on the phone', () => {
    expect(commandFor({ shell: true, on: 'phone-a' }, context)).toMatchObject({ file: 'ssh', label: 'phone-a: shell', on: 'phone-a' })
  })

  it('knows only the phones of project.json, and keeps the allow-list', () => {
    expect(() => commandFor({ shell: true, on: 'phone-z' }, context)).toThrow(/no phone phone-z in project\.json \(livePhones\.phones: phone-a\)/)
    expect(() => commandFor({ shell: true, on: 'constructor' }, context)).toThrow(/no phone constructor/)
    expect(() => commandFor({ shell: true, on: 'phone-a' }, { ...context, phones: undefined })).toThrow(/livePhones\.phones: none/)
    expect(() => commandFor({ script: 'echo-demo/scripts/evil.sh', on: 'phone-a' }, context)).toThrow(/not a demo script/)
  })
})
