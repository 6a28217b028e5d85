/**
 * The stage directions in a slide's speaker notes, as the speaker wrote them: the text of every quote block
 * (`> …`, the convention of logic/audience-notes.ts), one entry per line (a table row's cells joined by
 * spaces), without Markdown marks — what must never appear in the audience's reading view.
 */
export function stageDirections(note: string): string[] {
  return note.split('\n')
    .filter(line => /^\s*>/.test(line))
    .map(line => line.replace(/^\s*>\s?/, ''))
    .filter(line => !/^[\s|:-]*$/.test(line)) // blank lines and a table's |---| row
    .map(line => line.replace(/^\s*\||\|\s*$/g, '').split('|').map(cell => cell.trim()).join(' '))
    .map(line => line.replace(/\[click(?::\d+)?\]/g, '').replace(/[*_`]/g, '').replace(/\s+/g, ' ').trim())
    .filter(line => line.length >= 12)
}
