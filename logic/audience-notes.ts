/**
 * The audience's part of a slide's speaker notes. The convention (README, "Stage directions"): a stage
 * direction for the speaker is a quote block in the notes,
 *
 *     > Hold up both phones before saying a word.
 *
 * — the presenter view shows it, marked as a direction (style.css); the reading view leaves it out.
 * Slidev's `[click]` marks are the speaker's too.
 */
export const STAGE_DIRECTION_SELECTOR = 'blockquote'

/** Removes stage directions and click marks from the notes' HTML (as Slidev rendered it). */
export function audienceNotes(noteHTML: string): string {
  const template = document.createElement('template')
  template.innerHTML = noteHTML
  for (const element of template.content.querySelectorAll(`${STAGE_DIRECTION_SELECTOR}, .slidev-note-click-mark`))
    element.remove()
  return template.innerHTML.trim()
}
