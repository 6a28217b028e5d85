// The slide the speaker is on: set from the tailnet (PUT /api/slide), read by anyone (the deck's
// reading view follows it). Kept in memory only: after a restart it is unknown (null) until the next PUT.
export const MAX_SLIDE = 10_000

export interface SlideState {
  get: () => number | null
  /** Returns true when the slide changed (then onChange has been called). */
  set: (slide: number) => boolean
}

export function createSlideState(onChange: (slide: number) => void): SlideState {
  let current: number | null = null
  return {
    get: () => current,
    set(slide) {
      if (slide === current)
        return false
      current = slide
      onChange(slide)
      return true
    },
  }
}
