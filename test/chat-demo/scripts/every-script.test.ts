// The rules every chat-demo script follows: the set the README uses, a usage block, strict mode, one
// short slide region, a time limit on every curl, --help and a usage error (exit 2) that run nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../../tools/phone-sim/index.ts'
import { chatDemo, useSim } from '../../support/script-scenes.ts'

const SCRIPTS = 'chat-demo/scripts'
const sim = useSim()

describe('every chat-demo script', () => {
  const scripts = readdirSync(resolve(REPO_ROOT, SCRIPTS)).filter((f) => f.endsWith('.sh')).sort()

  it('is the set the README and the talk use', () => {
    expect(scripts).toEqual([
      '00-deploy-chat-no-label.sh', '00-label-llm.sh', '01-deploy-chat.sh', '02-test-chat.sh',
      '03-undeploy-chat.sh', '04-check-llm.sh', '05-open-chat-to-room.sh', '06-close-chat-to-room.sh',
      '99-unset-llm-label.sh',
    ])
    const readme = readFileSync(resolve(REPO_ROOT, 'chat-demo/README.md'), 'utf8')
    for (const s of scripts) expect(readme).toContain(`scripts/${s}`)
  })

  it.each(scripts)('%s has one slide region, strict mode, and answers --help', (script) => {
    const text = readFileSync(resolve(REPO_ROOT, SCRIPTS, script), 'utf8')
    expect(text.startsWith('#!/usr/bin/env bash\n# Usage: ')).toBe(true)
    expect(text).toContain('\nset -euo pipefail\n')
    expect(text.match(/^# #region slide$/gm)).toHaveLength(1)
    expect(text.match(/^# #endregion slide$/gm)).toHaveLength(1)
    const region = text.slice(text.indexOf('# #region slide'), text.indexOf('# #endregion slide')).split('\n').slice(1, -1)
    expect(region.length).toBeGreaterThan(0)
    expect(region.length).toBeLessThanOrEqual(6)
    expect(text).not.toMatch(/sudo kubectl|\$\(hostname\)|\bcd "?\$REPO_ROOT/)
    // Every curl has a time limit: a phone asleep or an address outside the cluster must not hang a demo.
    for (const line of text.split('\n').filter((l) => /(^|[|(]\s*)curl /.test(l.trim()))) expect(line, script).toMatch(/--max-time|(^|\s)-m\s/)

    const help = sim.run('phone-a', chatDemo(script), ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain(`Usage: chat-demo/scripts/${script}`)
    const bad = sim.run('phone-a', chatDemo(script), ['--no-such-option'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('Usage:')
    expect(sim.calls().filter((c) => c.cmd !== 'sleep')).toEqual([])
  })

  it('every manifest path the scripts name exists', () => {
    for (const script of scripts) {
      const text = readFileSync(join(REPO_ROOT, SCRIPTS, script), 'utf8')
      for (const [, file] of text.matchAll(/\$MANIFESTS\/([\w.-]+)/g)) {
        expect(existsSync(resolve(REPO_ROOT, 'chat-demo/manifests', file!)), `${script}: ${file}`).toBe(true)
      }
    }
  })
})
