// Every recording a slide plays (the phone-right layout's cast, CastPlayer src, ClusterView recording) exists where
// the components look for it, parses, and is one of two kinds, which the slide's label names: simulated
// by `npm run recordings` (".simulated." in the name, a plan in scripts/recordings/plan.ts, checked by
// test/recordings/drift.test.ts) or recorded on a phone by `npm run record` (host and date in the header).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseCast } from '../../formats/cast.ts'
import { parseClusterRecording } from '../../formats/cluster-events.ts'
import { recordingKind } from '../../formats/recording-label.ts'
import { outputsOf, PLANS } from '../../scripts/recordings/plan.ts'
import { deckSlides, repoRoot } from '../../tools/deck.ts'

const slides = await deckSlides()
const uses = slides.flatMap(slide => [
  ...[...slide.source.raw.matchAll(/<(?:CastPlayer\b[^>]*?\bsrc|PhoneTwoColumn\b[^>]*?\bcast)="([^"]+)"/g)].map(m => ({ no: slide.index + 1, kind: 'cast', path: m[1] })),
  ...(typeof slide.frontmatter.cast === 'string' ? [{ no: slide.index + 1, kind: 'cast', path: slide.frontmatter.cast }] : []),
  ...[...slide.source.raw.matchAll(/<ClusterView\b[^>]*?\brecording="([^"]+)"/g)].map(m => ({ no: slide.index + 1, kind: 'cluster', path: m[1] })),
])
const RECORDINGS = /^(echo|chat)-demo\/recordings\/[\w.-]+$/
const planned = new Set(PLANS.flatMap(plan => Object.values(outputsOf(plan))))

describe('the recordings the slides play', () => {
  it('are there: every slide with a phone terminal or a cluster view plays one', () => {
    expect(uses.length).toBeGreaterThanOrEqual(20)
  })

  it.each(uses)('slide $no: $path', ({ no, kind, path }) => {
    expect(path, `slide ${no}: recordings live in echo-demo/recordings or chat-demo/recordings`).toMatch(RECORDINGS)
    expect(existsSync(join(repoRoot, path)), `slide ${no}: ${path} exists`).toBe(true)
    const text = readFileSync(join(repoRoot, path), 'utf8')
    expect(path).toMatch(kind === 'cast' ? /\.cast$/ : /\.cluster\.jsonl$/)
    const header = kind === 'cast' ? parseCast(text).header : parseClusterRecording(text).header
    const simulated = path.includes('.simulated.')
    expect(recordingKind(header), `slide ${no}: ${path} says what it is`).toBe(simulated ? 'simulated' : 'phone')
    if (simulated)
      expect(planned.has(path), `slide ${no}: ${path} is made by a plan in scripts/recordings/plan.ts`).toBe(true)
  })
})
