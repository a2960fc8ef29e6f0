/** The shell blocks of a README section, as a reader would copy them. */
import { readFileSync } from 'node:fs'

export const README = new URL('../../README.md', import.meta.url).pathname

/** Every ```sh block of the `## <heading>` section of README.md, in order. */
export function readmeShellBlocks (heading: string, file = README): string[] {
  const text = readFileSync(file, 'utf8')
  const start = text.indexOf(`\n## ${heading}`)
  if (start < 0) throw new Error(`README has no section "${heading}"`)
  const next = text.indexOf('\n## ', start + 4)
  const section = text.slice(start, next < 0 ? undefined : next)
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string)
}
