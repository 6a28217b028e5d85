/**
 * The value of one of style.css's variables (say --kop-mono), for libraries that take a string rather than
 * CSS (xterm.js, asciinema-player): read where the element is, so a view that overrides it is respected.
 */
export function cssVar(name: string, element: Element = document.documentElement): string {
  return getComputedStyle(element).getPropertyValue(name).trim()
}
