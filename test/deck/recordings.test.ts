// Every recording a slide plays (PhoneTwoColumn's cast, CastPlayer's src, ClusterView's recording; that the
// file exists is test/deck/references.test.ts's) parses, and is one of two kinds, which the slide's label
// names: simulated by `npm run recordings` (".simulated." in the name, a plan in scripts/recordings/plan.ts,
// checked by test/recordings/drift.test.ts) or recorded on a phone by `npm run record` (host and date in the header).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCast } from '../../formats/cast.ts'
import { parseClusterRecording } from '../../formats/cluster-events.ts'
import { recordingKind } from '../../formats/recording-label.ts'
import { outputsOf, PLANS } from '../../scripts/recordings/plan.ts'
import { repoRoot } from '../../tools/deck.ts'
import { slideReferences } from '../support/slide-references.ts'

const { references } = await slideReferences()
const played = references.filter(({ kind }) => kind === 'cast' || kind === 'cluster')
const planned = new Set(PLANS.flatMap(plan => Object.values(outputsOf(plan))))

describe('the recordings the slides play', () => {
  it('are there: the phone terminals and the cluster views play some', () => {
    expect(played.map(({ kind }) => kind)).toEqual(expect.arrayContaining(['cast', 'cluster']))
  })

  it.each(played.map(reference => [`slide ${reference.no}: ${reference.path}`, reference] as const))('%s parses and says what it is', (_, { kind, path }) => {
    expect(path).toMatch(kind === 'cast' ? /\.cast$/ : /\.cluster\.jsonl$/)
    const text = readFileSync(join(repoRoot, path), 'utf8')
    const header = kind === 'cast' ? parseCast(text).header : parseClusterRecording(text).header
    const simulated = path.includes('.simulated.')
    expect(recordingKind(header), 'the label says simulated or recorded on a phone').toBe(simulated ? 'simulated' : 'phone')
    if (simulated)
      expect(planned.has(path), 'made by a plan in scripts/recordings/plan.ts').toBe(true)
  })
})
