import { defineShikiSetup } from '@slidev/types'

// High-contrast themes: code on a projector is read from the back of the room.
export default defineShikiSetup(() => ({
  themes: {
    light: 'github-light-high-contrast',
    dark: 'github-dark-high-contrast',
  },
}))
