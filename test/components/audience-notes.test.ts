import { describe, expect, it } from 'vitest'
import { audienceNotes } from '../../logic/audience-notes.ts'
import { stageDirections } from '../support/stage-directions.ts'

// The audience's part of the speaker notes: the HTML as Slidev renders a note (markdown-it, [click] marks as
// spans), and the stage directions as the speaker writes them (quote blocks).

describe('audienceNotes', () => {
  it('leaves out quote blocks, the stage directions, tables inside them included, and keeps the rest', () => {
    const html = `<blockquote>
<p>Part 1 · Opening · 2.5 minutes, ends at 2:30.</p>
</blockquote>
<p>This is the output of <code>kubectl</code> on the first phone.</p>
<blockquote>
<p>Timing plan:</p>
<table><tr><td>1</td><td>Opening</td></tr></table>
</blockquote>
<ul><li>both Ready</li></ul>`
    const shown = audienceNotes(html)
    expect(shown).not.toContain('Part 1')
    expect(shown).not.toContain('Timing plan')
    expect(shown).not.toContain('Opening')
    expect(shown).toContain('<p>This is the output of <code>kubectl</code> on the first phone.</p>')
    expect(shown).toContain('<li>both Ready</li>')
  })

  it('drops Slidev\'s click marks but keeps the sentences around them', () => {
    const html = '<p><span class="slidev-note-click-mark" data-clicks="1"></span> You see the terminal.\n<span class="slidev-note-click-mark" data-clicks="2"></span> The nodes are in your hand.</p>'
    expect(audienceNotes(html)).toBe('<p> You see the terminal.\n The nodes are in your hand.</p>')
  })

  it('gives nothing for notes that are all stage directions', () => {
    expect(audienceNotes('<blockquote><p>Hold up both phones.</p></blockquote>\n')).toBe('')
  })
})

describe('stageDirections (what the tests look for in the reading view)', () => {
  it('reads each quoted line and table row, without Markdown, and nothing else', () => {
    const note = `> Hold up both phones before saying a word.
>
> | Part | Topic | Minutes |
> |---|---|---|
> | 1 | Opening | 2.5 |

Speak this to the **audience**.

> [click] Switch the projector to the \`terminal\` now.`
    expect(stageDirections(note)).toEqual([
      'Hold up both phones before saying a word.',
      'Part Topic Minutes',
      '1 Opening 2.5',
      'Switch the projector to the terminal now.',
    ])
  })
})
