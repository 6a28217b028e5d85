/**
 * Every picture in img/, as URLs Vite can hash and rewrite for any base path. Components take image
 * paths as strings ("./img/x.png"); Vite can't see those, so they are looked up here instead.
 */
const urls = import.meta.glob<string>('../img/**/*.{png,jpg,jpeg,svg,webp,gif}', {
  eager: true,
  query: '?url',
  import: 'default',
})

/** "./img/a.png", "img/a.png" and "/img/a.png" all name img/a.png. */
export function normalizeImagePath(path: string): string {
  return path.trim().replace(/^\.?\//, '')
}

/** The served URL of an image in img/, or undefined when there is no such file. */
export function imageUrl(path: string): string | undefined {
  return urls[`../${normalizeImagePath(path)}`]
}
