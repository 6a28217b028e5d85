// Live demos on the phones: project.json's livePhones is well-formed, and every slide that names a phone
// for its script (runOn) names one of them. (The ssh path itself: test/live-demo/ssh.test.ts.)
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkPhoneSetup, readPhoneSetup, remoteScript, shellQuote } from '../../live-demo/node/phones.ts'
import { repoRoot } from '../../tools/deck.ts'
import { slideReferences } from '../support/slide-references.ts'

const setup = readPhoneSetup(join(repoRoot, 'project.json'))
const { references } = await slideReferences()
const runs = references.filter(({ kind, attributes }) => kind === 'script' && attributes.runOn !== undefined).map(({ no, attributes }) => ({ no, phone: attributes.runOn }))

describe('the phones in project.json', () => {
  it('name the clone, the pre-flight script and the two phones with their ssh user', () => {
    expect(setup).toMatchObject({ clone: 'k3s-on-phone-demo', checkScript: 'scripts/check-phone.sh' })
    expect(setup!.phones).toEqual({ 'phone-a': { user: 'droid', host: 'phone-a' }, 'phone-b': { user: 'droid', host: 'phone-b', check: ['--llm'] } })
  })

  it('refuses what would reach an ssh command line unchecked', () => {
    const phones = { 'phone-a': { user: 'droid', host: 'phone-a' } }
    expect(() => checkPhoneSetup({ clone: 'x', checkScript: 'scripts/check-phone.sh', phones: { 'phone-a': { user: 'droid', host: '-oProxyCommand=x' } } })).toThrow(/host/)
    expect(() => checkPhoneSetup({ clone: 'x', checkScript: '../evil.sh', phones })).toThrow(/checkScript/)
    expect(() => checkPhoneSetup({ clone: 'x', checkScript: 'scripts/check-phone.sh', phones: { 'Phone A': phones['phone-a'] } })).toThrow(/phone name/)
    expect(() => checkPhoneSetup({ clone: '', checkScript: 'scripts/check-phone.sh', phones })).toThrow(/clone/)
    expect(() => checkPhoneSetup({ clone: 'x', checkScript: 'scripts/check-phone.sh', phones: { 'phone-a': { ...phones['phone-a'], check: ['--llm; rm -rf ~'] } } })).toThrow(/check/)
  })

  it('quotes every word for the phone\'s shell', () => {
    expect(shellQuote('it\'s')).toBe(`'it'\\''s'`)
    expect(remoteScript('k3s-on-phone-demo', 'echo-demo/scripts/05-scale-echo.sh', ['3'])).toBe(`cd "$HOME"/'k3s-on-phone-demo' && exec bash './echo-demo/scripts/05-scale-echo.sh' '3'`)
  })
})

describe('slides that run their script on a phone', () => {
  it('exist', () => expect(runs.length).toBeGreaterThan(10))
  it.each(runs)('slide $no: $phone is one of project.json\'s phones', ({ phone }) => {
    expect(Object.keys(setup!.phones)).toContain(phone)
  })
})
