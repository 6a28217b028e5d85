// Whether the audience may post: the speaker pauses and resumes it from the tailnet (/pause, /resume,
// PUT /api/audience). In memory: a restarted pod starts open.
export interface AudienceState {
  readonly posting: boolean
  /** Returns true when the state changed (then onChange has been called). */
  setPosting: (posting: boolean) => boolean
}

export function createAudienceState(onChange: (posting: boolean) => void): AudienceState {
  let posting = true
  return {
    get posting() {
      return posting
    },
    setPosting(next) {
      if (next === posting)
        return false
      posting = next
      onChange(posting)
      return true
    },
  }
}
