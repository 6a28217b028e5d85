// The drift check: every simulated recording in the repository is regenerated from the current scripts
// in the simulated phones and compared with the committed file, timings and dates aside. A script whose
// messages changed fails here, naming the script and the first differing line: regenerate its
// recording in the same commit (npm run recordings -- NAME).
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { demoFolders } from '../../demos.ts'
import { firstDifference } from '../../scripts/recordings/compare.ts'
import { outputsOf, PLANS, shownCommand } from '../../scripts/recordings/plan.ts'
import { simulate } from '../../scripts/recordings/simulate.ts'
import { repoRoot } from '../../tools/deck.ts'

describe('the simulated recordings match what the scripts print now', () => {
  it('are all made by a plan (no stray .simulated. file)', () => {
    const planned = new Set(PLANS.flatMap(plan => Object.values(outputsOf(plan))))
    const files = demoFolders('recordings').flatMap(dir =>
      readdirSync(join(repoRoot, dir)).filter(name => name.includes('.simulated.')).map(name => `${dir}/${name}`))
    expect(files.length).toBeGreaterThan(0)
    expect(files.filter(file => !planned.has(file))).toEqual([])
  })

  it.each(PLANS.map(plan => ({ name: plan.name, plan })))('$name', async ({ plan }) => {
    const made = await simulate(plan)
    const what = plan.steps.map(step => `${shownCommand(step)} on ${step.host}`).join('; ')
    const files = outputsOf(plan)
    for (const [kind, file, text] of [['cast', files.cast, made.cast], ['cluster', files.cluster, made.cluster]] as const) {
      if (!file || text === undefined)
        continue
      const path = join(repoRoot, file)
      expect(existsSync(path), `${file} is missing: npm run recordings -- ${plan.name}`).toBe(true)
      const difference = firstDifference(kind, readFileSync(path, 'utf8'), text)
      expect(difference, `${what} no longer prints what ${file} shows — ${difference}. Regenerate it: npm run recordings -- ${plan.name}`).toBeUndefined()
    }
  }, 180_000)
})
