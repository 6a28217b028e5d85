/** The deck's slides as the reading view needs them: number, title, notes, Slidev's route (to render it). */
import type { SlideRoute } from '@slidev/types'
import type { ComputedRef } from 'vue'
import { notesHTML } from 'virtual:slide-notes'
import { computed } from 'vue'
import { slides } from '#slidev/slides'

export interface DeckSlide {
  no: number
  /** The slide's first heading as plain text (Slidev keeps the Markdown's inline HTML in it) */
  title: string
  /** The speaker notes as Slidev rendered them (HTML) */
  noteHTML: string
  /** The slide's `class` frontmatter (and the headmatter's, for slide 1) */
  className: string
  route: SlideRoute
}

/** The part of Slidev's route meta we read (Slidev types it only inside its own client sources). */
interface SlideMeta {
  title?: string
  noteHTML?: string
  frontmatter?: { class?: string, hide?: boolean, disabled?: boolean }
}

export function toDeckSlide(route: SlideRoute): DeckSlide {
  const meta = route.meta.slide as SlideMeta
  return {
    no: route.no,
    title: (meta.title ?? '').replace(/<[^>]*>/g, ''),
    // The built deck serves the notes apart from the slide list (build/slide-notes.ts), the dev server in it
    noteHTML: (notesHTML ? notesHTML[route.no] : meta.noteHTML) ?? '',
    className: meta.frontmatter?.class ?? '',
    route,
  }
}

export function useDeckSlides(): ComputedRef<DeckSlide[]> {
  return computed(() => slides.value.map(toDeckSlide))
}
