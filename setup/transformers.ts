import { defineTransformersSetup } from '@slidev/types'
import { expandCodeWithScript } from '../build/code-with-script.ts'

export default defineTransformersSetup(() => ({
  pre: [
    (ctx) => {
      const text = ctx.s.toString()
      const expanded = expandCodeWithScript(text, ctx.options.userRoot)
      if (expanded !== text)
        ctx.s.overwrite(0, ctx.s.original.length, expanded)
    },
  ],
}))
