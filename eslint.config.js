// One style for the whole tree, the one Slidev and antfu's talks use (@antfu/eslint-config): TypeScript, Vue,
// JSON and YAML. `npm run lint` fails on any deviation; `npm run lint -- --fix` applies most of it.
import antfu from '@antfu/eslint-config'

export default antfu(
  {
    vue: true,
    typescript: true,
    // Slides are Markdown in Slidev's own dialect (a frontmatter per slide, `<v-click>`, `<<<`); the code they
    // show comes from the demo files, which are linted as themselves.
    markdown: false,
    ignores: ['chat-demo/app/public/vendor/**', '**/*.cast', '**/*.jsonl', 'bench/results.json'],
  },
  {
    rules: {
      // One object or call per line once a list holds calls or four items: it would make the code the slides show
      // from the demos (chat app, manifests) about a third longer without making it clearer.
      'antfu/reasonable-newline': 'off',
      // Test titles name components and files ("ClusterView", "README"): their case is theirs.
      'test/prefer-lowercase-title': 'off',
    },
  },
  {
    // Command-line tools: the console is their output.
    files: ['bench/**', 'scripts/**', 'tools/**', 'chat-demo/app/bench/**', 'test/support/summary-reporter.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // Entry points run as ES modules: top-level await is how they wait.
    files: ['bench/*.ts', 'scripts/**/*.ts', 'chat-demo/app/src/main.ts', 'chat-demo/app/bench/*.ts'],
    rules: { 'antfu/no-top-level-await': 'off' },
  },
  {
    // The browser tests read what a person sees: innerText follows CSS (hidden text is left out), textContent doesn't.
    files: ['test/browser/**'],
    rules: { 'unicorn/prefer-dom-node-text-content': 'off' },
  },
  {
    // The reading view shows the speaker notes as Slidev rendered them from the deck's own Markdown.
    files: ['components/reading/ReadingSection.vue'],
    rules: { 'vue/no-v-html': 'off' },
  },
)
