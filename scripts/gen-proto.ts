/**
 * Generates static protobufjs code (ES module + TypeScript declarations) from proto/*.proto
 * into src/core/gen/. Runs on `npm install` (prepare) and by `npm run proto`; the output is not
 * committed and never edited by hand.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, writeFileSync, readFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const protoDir = join(root, 'proto')
const outDir = join(root, 'src', 'core', 'gen')
const bin = (name: string): string => join(root, 'node_modules', '.bin', name)

const protos = readdirSync(protoDir).filter((f) => f.endsWith('.proto')).sort().map((f) => join(protoDir, f))
mkdirSync(outDir, { recursive: true })
const js = join(outDir, 'proto.js')
execFileSync(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '--force-number', '--no-verify', '--no-delimited', '--no-convert', '-o', js, ...protos], { stdio: 'inherit' })
// pbjs emits `import * as $protobuf from "protobufjs/minimal"`: Node's ESM resolver needs the extension.
writeFileSync(js, readFileSync(js, 'utf8').replace('"protobufjs/minimal"', '"protobufjs/minimal.js"'))
execFileSync(bin('pbts'), ['-o', join(outDir, 'proto.d.ts'), js], { stdio: 'inherit' })
