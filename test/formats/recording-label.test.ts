// What a slide says about a recording (formats/recording-label.ts), and what every recording in the
// repository says about itself: simulated by `npm run recordings` (".simulated." in the name and
// "simulated": true in the header), or recorded on a phone (host and date); none hand-written ("sample").
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCast } from '../../formats/cast.ts'
import { parseClusterRecording } from '../../formats/cluster-events.ts'
import { recordingKind, recordingLabel } from '../../formats/recording-label.ts'

const repo = resolve(import.meta.dirname, '../..')
const recordings = ['echo-demo/recordings', 'chat-demo/recordings'].flatMap(dir =>
  readdirSync(join(repo, dir)).filter(name => /\.(?:cast|cluster\.jsonl)$/.test(name)).map(name => `${dir}/${name}`))
function headerOf(file: string) {
  const text = readFileSync(join(repo, file), 'utf8')
  return file.endsWith('.cast') ? parseCast(text).header : parseClusterRecording(text).header
}

describe('recordingKind and recordingLabel', () => {
  it('label each kind on the slide', () => {
    expect(recordingLabel({ simulated: true, host: 'phone-a' })).toBe('simulated phone')
    expect(recordingLabel({ host: 'phone-a', date: '2026-12-01T10:15:00Z' })).toBe('recorded on phone-a, 2026-12-01')
    expect(recordingLabel({ sample: true })).toBe('sample recording')
    expect(recordingLabel({})).toBe('recording')
  })

  it('tell a sample by its header or its title, before anything else it claims', () => {
    expect(recordingKind({ sample: true, simulated: true })).toBe('sample')
    expect(recordingKind({ title: 'Sample run of 03-deploy', host: 'phone-a', date: '2026-12-01' })).toBe('sample')
    expect(recordingKind({ title: 'samples/03-deploy', host: 'phone-a', date: '2026-12-01' })).toBe('phone')
  })

  it('take a phone\'s recording only with both host and date', () => {
    expect(recordingKind({ host: 'phone-a' })).toBe('unknown')
    expect(recordingKind({ date: '2026-12-01' })).toBe('unknown')
  })
})

describe('the recordings in the repository', () => {
  it('are there, casts and cluster recordings', () => {
    expect(recordings).toContain('echo-demo/recordings/03-deploy-echo.simulated.cast')
    expect(recordings).toContain('echo-demo/recordings/05-scale-echo.simulated.cluster.jsonl')
  })

  it.each(recordings)('%s says what it is, and its name agrees', (file) => {
    expect(recordingKind(headerOf(file))).toBe(file.includes('.simulated.') ? 'simulated' : 'phone')
  })
})
