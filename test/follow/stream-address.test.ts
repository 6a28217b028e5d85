// The audience's half of following: where the hosted deck listens for the speaker's slide (the chat's
// live stream); the speaker's half is announcer.test.ts.
import { describe, expect, it } from 'vitest'
import { eventsUrl } from '../../logic/reading-links.ts'

describe('the audience\'s stream address (logic/reading-links.ts)', () => {
  it('is the chat\'s /api/events, with or without a path or slash, and nothing without an address or in the dev server', () => {
    expect(eventsUrl('https://phone-b.example.ts.net', false)).toBe('https://phone-b.example.ts.net/api/events')
    expect(eventsUrl('https://phone-b.example.ts.net/', false)).toBe('https://phone-b.example.ts.net/api/events')
    expect(eventsUrl('https://example.org/chat', false)).toBe('https://example.org/chat/api/events')
    expect(eventsUrl('', false)).toBeUndefined()
    expect(eventsUrl('  ', false)).toBeUndefined()
    expect(eventsUrl('https://phone-b.example.ts.net', true)).toBeUndefined()
  })
})
