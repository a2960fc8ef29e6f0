/**
 * The formatter: dprint's TypeScript plugin (WebAssembly, from npm) run in this process with the
 * settings in dprint.json, over src/, test/ and scripts/. `--check` lists the files that are not
 * formatted and exits 1; without it, the files are rewritten. No binary and no network: the
 * plugin is the npm package @dprint/typescript and the runner @dprint/formatter.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { createFromBuffer } from '@dprint/formatter'
import { getPath } from '@dprint/typescript'

const root = new URL('..', import.meta.url).pathname
const settings = JSON.parse(readFileSync(join(root, 'dprint.json'), 'utf8')) as { typescript: Record<string, unknown>, excludes: string[] }
const formatter = createFromBuffer(readFileSync(getPath()))
formatter.setConfig({}, settings.typescript)
const problems = formatter.getConfigDiagnostics()
if (problems.length > 0) throw new Error(`dprint.json: ${problems.map((p) => `${p.propertyName}: ${p.message}`).join('; ')}`)

const excluded = (path: string): boolean => settings.excludes.some((e) => path.startsWith(e.replace(/\*\*$/, '')))
function* files (dir: string): Generator<string> {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (excluded(path) || entry.name === 'node_modules') continue
    if (entry.isDirectory()) yield* files(path)
    else if (entry.name.endsWith('.ts')) yield path
  }
}

const check = process.argv.includes('--check')
const unformatted: string[] = []
for (const dir of ['src', 'test', 'scripts']) {
  for (const path of files(dir)) {
    const text = readFileSync(join(root, path), 'utf8')
    const formatted = formatter.formatText({ filePath: join(root, path), fileText: text })
    if (formatted === text) continue
    unformatted.push(relative(root, join(root, path)))
    if (!check) writeFileSync(join(root, path), formatted)
  }
}
if (check && unformatted.length > 0) {
  process.stderr.write(`not formatted (run npm run format):\n${unformatted.map((f) => `  ${f}`).join('\n')}\n`)
  process.exit(1)
}
if (!check && unformatted.length > 0) process.stdout.write(`formatted ${unformatted.length} file(s)\n`)
