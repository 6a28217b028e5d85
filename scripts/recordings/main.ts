/**
 * npm run recordings [-- NAME…]        makes every simulated recording the slides play (or the named ones)
 * npm run recordings -- --check [NAME…] only compares them with the committed files (exit 1 on drift)
 *
 * Each runs its demo script in the simulated phones and cluster (scripts/recordings/plan.ts) and writes
 * DIR/recordings/NAME.simulated.cast, plus NAME.simulated.cluster.jsonl where a slide shows ClusterView.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import process from 'node:process'
import { REPO_ROOT } from '../../tools/phone-sim/index.ts'
import { firstDifference } from './compare.ts'
import { outputsOf, PLANS } from './plan.ts'
import { simulate } from './simulate.ts'

const args = process.argv.slice(2)
const check = args.includes('--check')
const names = args.filter(arg => arg !== '--check')
const unknown = names.filter(name => !PLANS.some(plan => plan.name === name))
if (args.some(arg => arg.startsWith('-') && arg !== '--check') || unknown.length) {
  console.error(`usage: npm run recordings [-- --check] [NAME…]\n${unknown.length ? `unknown: ${unknown.join(', ')}\n` : ''}names: ${PLANS.map(plan => plan.name).join(' ')}`)
  process.exit(2)
}

let drifted = 0
for (const plan of PLANS.filter(plan => !names.length || names.includes(plan.name))) {
  const started = Date.now()
  const made = await simulate(plan)
  const files = outputsOf(plan)
  for (const [kind, file, text] of [['cast', files.cast, made.cast], ['cluster', files.cluster, made.cluster]] as const) {
    if (!file || text === undefined)
      continue
    const path = join(REPO_ROOT, file)
    if (check) {
      const difference = existsSync(path) ? firstDifference(kind, readFileSync(path, 'utf8'), text) : 'missing'
      if (difference) {
        drifted++
        console.error(`✗ ${file}: ${difference}`)
      }
    }
    else {
      writeFileSync(path, text)
    }
  }
  console.log(`${check ? '  checked' : '  wrote'} ${files.cast}${files.cluster ? ' + .cluster.jsonl' : ''}: ${made.simulatedSeconds} s simulated → ${made.shownSeconds} s shown (${((Date.now() - started) / 1000).toFixed(1)} s)`)
}
if (drifted) {
  console.error(`${drifted} recording(s) no longer match their scripts: npm run recordings`)
  process.exit(1)
}
