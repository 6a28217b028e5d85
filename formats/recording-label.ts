/**
 * What a slide tells the audience about a recording it plays (CastPlayer, ClusterView): made in the
 * simulated phones by `npm run recordings` (header "simulated": true), recorded on a phone by
 * `npm run record` (header "host" and "date"), or hand-written (header "sample": true).
 */
/** The header fields both recording formats (cast.ts, cluster-events.ts) use to say where they come from */
export interface RecordingOrigin {
  title?: string
  /** Made by `npm run recordings` in the simulated phones (scripts/recordings/), not on a phone */
  simulated?: boolean
  /** How a simulated recording was made */
  made?: string
  /** Hand-written: not recorded on a phone */
  sample?: boolean
  /** Where and when scripts/record.sh recorded it (a simulated one: the simulated phone, no date) */
  host?: string
  date?: string
}

export type RecordingKind = 'simulated' | 'phone' | 'sample' | 'unknown'

/** The header comes from a file: the fields are checked, not trusted. */
export function recordingKind(header: RecordingOrigin): RecordingKind {
  if (header.sample === true || (typeof header.title === 'string' && /\bsample\b/i.test(header.title)))
    return 'sample'
  if (header.simulated === true)
    return 'simulated'
  if (typeof header.host === 'string' && header.host && typeof header.date === 'string' && header.date)
    return 'phone'
  return 'unknown'
}

/** The slide's label: "simulated phone", "recorded on phone-a, 2026-12-01", "sample recording". */
export function recordingLabel(header: RecordingOrigin): string {
  switch (recordingKind(header)) {
    case 'simulated': return 'simulated phone'
    case 'phone': return `recorded on ${String(header.host)}, ${String(header.date).slice(0, 10)}`
    case 'sample': return 'sample recording'
    default: return 'recording'
  }
}
