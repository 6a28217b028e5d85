// No hand-typed terminal output on a slide: every terminal screen is a recording (PhoneTwoColumn's cast,
// CastPlayer, made by running the script) or a live run. Typed output drifts the moment a script changes
// a message, so a slide that passes terminal text to a component, or carries the scripts' own lines
// (`==> …`, ` ✓ …`) as text, fails here.
import { describe, expect, it } from 'vitest'
import { deckSlides } from '../../tools/deck.ts'

const slides = await deckSlides()
/** What the scripts print (scripts/lib/demo.sh: step, ok, warn, fail) and the installers' log lines. */
const SCRIPT_LINE = /^\s*(==> |[✓✗!] {2}|\[INFO\] {2})/m
const TERMINAL_PROPS = /<(PhoneTwoColumn|PhoneScreen|CastPlayer|ClusterView)\b[^>]*?\s:?(output|command|sample)\b/

/** A slide's markdown without its speaker notes and without code imported from files. */
const shownText = (raw: string) => raw.replace(/<!--[\s\S]*?-->/g, '')

describe('terminal screens on the slides', () => {
  it.each(slides.map(slide => ({ no: slide.index + 1, raw: slide.source.raw })))('slide $no passes no typed terminal output', ({ no, raw }) => {
    const text = shownText(raw)
    expect(text, `slide ${no}: a terminal shows a recording (cast="…"), not typed output/command text`).not.toMatch(TERMINAL_PROPS)
    expect(text, `slide ${no}: a script's own output line typed on the slide`).not.toMatch(SCRIPT_LINE)
  })

  it('catches what it is meant to catch', () => {
    expect('<PhoneTwoColumn command="./x.sh" sample output="==> Step">').toMatch(TERMINAL_PROPS)
    expect('<PhoneScreen\n  :output="text" />').toMatch(TERMINAL_PROPS)
    expect('text\n ✓  The API server answers\n').toMatch(SCRIPT_LINE)
    expect('```\n==> Deploy the echo server\n```').toMatch(SCRIPT_LINE)
    expect('<PhoneTwoColumn cast="echo-demo/recordings/04-curl.simulated.cast">').not.toMatch(TERMINAL_PROPS)
  })
})
