// What a message may be: text that shows something. Whitespace, format characters (zero-width
// spaces and joiners, bidi overrides, soft hyphens, tags), lone combining marks and the "blank"
// letters (Hangul fillers, the braille blank) render as nothing: a message of only those is empty.
// The whole Tags block (U+E0000–E007F) counts: its characters are \p{Cf}, its unassigned code points are listed.
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{M}\u115F\u1160\u3164\uFFA0\u2800\u{E0000}\u{E0002}-\u{E001F}]/gu

export interface TextProblem { status: 400 | 413, error: string }

export function checkText(text: string, maxLength: number): TextProblem | undefined {
  if (text.replace(INVISIBLE, '') === '')
    return { status: 400, error: 'message is empty (or only invisible characters)' }
  if (text.includes('\0') || !text.isWellFormed())
    return { status: 400, error: 'message contains a NUL character or broken Unicode' }
  const length = [...text].length
  if (length > maxLength)
    return { status: 413, error: `message has ${length} characters; at most ${maxLength} are allowed` }
  return undefined
}
