import { availableParallelism } from 'node:os'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// Three kinds of tests: fast Node tests (scripts, manifests, the chat app), component tests
// in happy-dom, and browser tests against the built deck in the system Chromium.
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    // One test file per core (Vitest's default leaves one free: a single worker on two cores); the script
    // tests spend most of their time waiting for the bash scripts and simulated programs they run.
    maxWorkers: availableParallelism(),
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/**/*.test.ts', 'chat-demo/app/test/**/*.test.ts'],
          exclude: ['test/components/**', 'test/browser/**', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        extends: './vite.config.ts',
        plugins: [vue()],
        test: {
          name: 'components',
          environment: 'happy-dom',
          include: ['test/components/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'browser',
          environment: 'node',
          include: ['test/browser/**/*.test.ts'],
          // a folder for the deck builds the browser tests share (test/support/deck-builds.ts)
          globalSetup: ['./test/support/deck-builds-setup.ts'],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
})
