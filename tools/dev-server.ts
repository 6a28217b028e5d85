// The deck's dev server for the bench and the browser tests: `slidev` with Vite's dependency cache in a folder of
// its own, so a cold start can be measured without touching node_modules/.vite that other dev servers use.
//   node tools/dev-server.ts PORT CACHE_DIR
import { join } from 'node:path'
import process from 'node:process'
import { createServer, resolveOptions } from '@slidev/cli'

const [port, cacheDir] = process.argv.slice(2)
if (!port || !cacheDir) {
  console.error('Usage: node tools/dev-server.ts PORT CACHE_DIR')
  process.exit(2)
}
const repoRoot = join(import.meta.dirname, '..')

async function main(port: string, cacheDir: string) {
  const options = await resolveOptions({ entry: join(repoRoot, 'slides.md') }, 'dev')
  const server = await createServer(options, {
    cacheDir,
    logLevel: 'warn',
    server: { port: Number(port), strictPort: true, host: '127.0.0.1' },
  })
  await server.listen()
  console.log(`listening on http://127.0.0.1:${port}/`)
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => void server.close().then(() => process.exit(0)))
}

// As a failed top-level await would: the error on stderr, exit status 1.
main(port, cacheDir).catch((error) => {
  console.error(error)
  process.exit(1)
})
