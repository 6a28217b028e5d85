// The demos, one folder each at the repository root, every one laid out the same way: README.md,
// scripts/ (the demo scripts, shown on slides and run by the live demos), manifests/ (what the
// scripts apply), recordings/ (what the slides replay). The tests, the tools, the recordings and
// the live demos take the folders from here. (Vite's import.meta.glob needs literal paths: the
// players in components/ name the recordings folders themselves.)

export const DEMOS = ['echo-demo', 'chat-demo'] as const

export type Demo = typeof DEMOS[number]

/** The folders of every demo that hold one kind of file, from the repository root: e.g. ['echo-demo/scripts', 'chat-demo/scripts']. */
export function demoFolders(kind: 'scripts' | 'manifests' | 'recordings'): string[] {
  return DEMOS.map(demo => `${demo}/${kind}`)
}
