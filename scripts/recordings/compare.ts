/**
 * The drift check: does a committed simulated recording still match what its script prints now? Timings
 * are left aside (the shortened time line is not part of what a script says); the header, every chunk
 * of output as terminal lines, and every cluster change must be the same.
 */
import { parseCast } from '../../formats/cast.ts'
import { parseClusterRecording } from '../../formats/cluster-events.ts'

/** The output of a cast as the lines the script printed (chunks joined, CRLF as LF), after the header. */
function castLines(text: string): string[] {
  const cast = parseCast(text)
  const { timestamp: _t, date: _d, ...header } = cast.header
  const output = cast.events.filter(event => event[1] === 'o').map(event => event[2]).join('').replaceAll('\r\n', '\n')
  return [`header ${JSON.stringify(header)}`, ...output.split('\n')]
}

function clusterLines(text: string): string[] {
  const recording = parseClusterRecording(text)
  const { date: _d, ...header } = recording.header
  return [`header ${JSON.stringify(header)}`, ...recording.events.map(([, event]) => JSON.stringify(event))]
}

// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1B(\[[\d;?]*[\x40-\x7E]|\][^\x07]*\x07|[()]\w)/g

/** A line as the reader of a test failure wants it: without colour codes, unless only those differ. */
function readable(line: string | undefined, other: string | undefined): string {
  if (line === undefined)
    return '(nothing)'
  const plain = line.replace(ESCAPES, '')
  return JSON.stringify(plain === other?.replace(ESCAPES, '') ? line : plain)
}

/** The first difference, as "line N: committed … / now …", or undefined when they match. */
export function firstDifference(kind: 'cast' | 'cluster', committed: string, fresh: string): string | undefined {
  const lines = kind === 'cast' ? castLines : clusterLines
  const a = lines(committed)
  const b = lines(fresh)
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i])
      return `line ${i + 1}: committed ${readable(a[i], b[i])}, the script prints now ${readable(b[i], a[i])}`
  }
  return undefined
}
