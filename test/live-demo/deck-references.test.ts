// Every recording a slide plays (CastPlayer src, ClusterView recording) exists where the components look
// for it, parses, and a hand-written sample is one the slide will label "sample recording".
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isSampleCast, parseCast } from '../../plugins/cast.ts'
import { parseClusterRecording } from '../../plugins/cluster-events.ts'
import { deckSlides, repoRoot } from '../support/deck.ts'

const slides = await deckSlides()
const uses = slides.flatMap(slide => [
  ...[...slide.source.raw.matchAll(/<CastPlayer\b[^>]*?\bsrc="([^"]+)"/g)].map(m => ({ no: slide.index + 1, kind: 'cast', path: m[1] })),
  ...[...slide.source.raw.matchAll(/<ClusterView\b[^>]*?\brecording="([^"]+)"/g)].map(m => ({ no: slide.index + 1, kind: 'cluster', path: m[1] })),
])
const RECORDINGS = /^(echo|chat)-demo\/recordings\/[\w.-]+$/

describe('the recordings the slides play', () => {
  it.each(uses.length ? uses : [{ no: 0, kind: 'none', path: '' }])('slide $no: $path', ({ no, kind, path }) => {
    if (kind === 'none')
      return // no slide plays a recording yet
    expect(path, `slide ${no}: recordings live in echo-demo/recordings or chat-demo/recordings`).toMatch(RECORDINGS)
    expect(existsSync(join(repoRoot, path)), `slide ${no}: ${path} exists`).toBe(true)
    const text = readFileSync(join(repoRoot, path), 'utf8')
    if (kind === 'cast') {
      expect(path).toMatch(/\.cast$/)
      expect(isSampleCast(parseCast(text))).toBe(path.includes('.sample.'))
    }
    else {
      expect(path).toMatch(/\.cluster\.jsonl$/)
      expect(parseClusterRecording(text).header.sample === true).toBe(path.includes('.sample.'))
    }
  })
})
