// The pure half of the simulated recordings (scripts/recordings/timeline.ts and compare.ts): one shortened
// time line for the terminal and the cluster view, the cluster's changes as watch events, and the drift
// comparison that ignores timings but nothing else.
import { describe, expect, it } from 'vitest'
import { firstDifference } from '../../scripts/recordings/compare.ts'
import { castText, clusterChanges, MAX_GAP_SECONDS, PACE_SECONDS, shorten } from '../../scripts/recordings/timeline.ts'
import { rawNode, rawPod } from '../live-demo/kube-objects.ts'

describe('shorten', () => {
  it('keeps short gaps, shortens long waits, and paces output printed at one instant', () => {
    const times = shorten(100, [{ at: 100, data: 'a' }, { at: 100, data: 'b' }, { at: 101, data: 'c' }, { at: 400, data: 'd' }], [])
    expect(times.output).toEqual([0, PACE_SECONDS, PACE_SECONDS + 1 + PACE_SECONDS, PACE_SECONDS * 3 + 1 + MAX_GAP_SECONDS])
  })

  it('puts the cluster changes on the same time line, the state before the start at 0', () => {
    const times = shorten(10, [{ at: 10, data: '$ x' }, { at: 40, data: 'done' }], [{ at: 5 }, { at: 11 }, { at: 39 }])
    expect(times.changes).toEqual([0, 1, 1 + MAX_GAP_SECONDS])
    expect(times.output[1]).toBeGreaterThan(times.changes[2])
  })
})

describe('clusterChanges', () => {
  it('reports what a watch reports: ADDED, MODIFIED when something drawn changed, DELETED', () => {
    const node = rawNode('ADDED', 'phone-a', true, true).object
    const pending = rawPod('ADDED', 'echo-1', { phase: 'Pending' }).object
    const running = rawPod('ADDED', 'echo-1', { node: 'phone-a', phase: 'Running', ready: true }).object
    const changes = clusterChanges([
      { at: 0, objects: [node] },
      { at: 1, objects: [node, pending] },
      { at: 2, objects: [node, pending] },
      { at: 3, objects: [node, running] },
      { at: 4, objects: [node] },
    ])
    expect(changes.map(c => [c.at, c.event.type, c.event.name])).toEqual([
      [0, 'ADDED', 'phone-a'],
      [1, 'ADDED', 'echo-1'],
      [3, 'MODIFIED', 'echo-1'],
      [4, 'DELETED', 'echo-1'],
    ])
    expect(changes[2].event).toMatchObject({ node: 'phone-a', phase: 'Running', ready: true })
  })
})

describe('firstDifference', () => {
  const header = { version: 2, width: 48, height: 40, simulated: true }
  it('ignores timings and how the output was chunked', () => {
    const a = castText(header, [0, 1], [{ at: 0, data: '==> One\r\n' }, { at: 1, data: ' ✓  two\r\n' }])
    const b = castText(header, [0, 7.5, 8], [{ at: 0, data: '==> One\r' }, { at: 0, data: '\n ✓  tw' }, { at: 0, data: 'o\r\n' }])
    expect(firstDifference('cast', a, b)).toBeUndefined()
  })

  it('names the first line that differs', () => {
    const a = castText(header, [0], [{ at: 0, data: '==> One\r\n ✓  two\r\n' }])
    const b = castText(header, [0], [{ at: 0, data: '==> One\r\n ✓  2\r\n' }])
    expect(firstDifference('cast', a, b)).toBe('line 3: committed " ✓  two", the script prints now " ✓  2"')
  })

  it('shows the lines without colour codes, unless only the colour changed', () => {
    const a = castText(header, [0], [{ at: 0, data: '\x1B[32m ✓  two\x1B[0m\r\n' }])
    const b = castText(header, [0], [{ at: 0, data: '\x1B[32m ✓  2\x1B[0m\r\n' }])
    const c = castText(header, [0], [{ at: 0, data: '\x1B[31m ✓  two\x1B[0m\r\n' }])
    expect(firstDifference('cast', a, b)).toBe('line 2: committed " ✓  two", the script prints now " ✓  2"')
    expect(firstDifference('cast', a, c)).toBe(`line 2: committed ${JSON.stringify('\x1B[32m ✓  two\x1B[0m')}, the script prints now ${JSON.stringify('\x1B[31m ✓  two\x1B[0m')}`)
  })
})
