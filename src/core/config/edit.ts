/**
 * Changes a node's config file in place, the way `lifelong token trust` and the other operator
 * commands do: read the JSON, apply the change, validate the whole result (every problem
 * reported at once, as at start), and only then replace the file. A change that would leave a
 * config the node refuses is never written.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { LifelongError } from '../errors.ts'
import { parseConfig, type NodeConfig } from './config.ts'

/** The raw JSON of a config file, for a change. */
export type RawConfig = Record<string, any>

/**
 * Applies `change` to the config file and writes it back once the result validates.
 * @throws LifelongError CONFIG_UNREADABLE; ValidationError CONFIG_INVALID (nothing written)
 */
export function editConfigFile (file: string, change: (raw: RawConfig) => void): NodeConfig {
  const path = resolve(file)
  let raw: RawConfig
  try {
    raw = JSON.parse(readFileSync(path, 'utf8')) as RawConfig
  } catch (err) {
    throw new LifelongError('invalid', 'CONFIG_UNREADABLE', `cannot read ${path} as JSON`, { cause: err })
  }
  change(raw)
  const config = parseConfig(raw, dirname(path), path)
  // Written beside and renamed: a crash leaves the old file or the new one, never half of one.
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(raw, null, 2) + '\n')
  renameSync(tmp, path)
  return config
}
