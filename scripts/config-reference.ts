/**
 * Prints the config reference (a Markdown table of every field, its default and meaning) from
 * the JSON Schema, for the README. `node scripts/config-reference.ts`.
 */
import { configSchema } from '../src/core/config/schema.ts'

interface Prop {
  anyOf?: Prop[]
  type?: string
  description?: string
  default?: unknown
  enum?: readonly unknown[]
  minimum?: number
  maximum?: number
  properties?: Record<string, Prop>
  required?: readonly string[]
  items?: Prop
}

export function configRows (schema: Prop = configSchema as unknown as Prop, prefix = ''): string[][] {
  const rows: string[][] = []
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (name === '$schema') continue
    const path = `${prefix}${name}`
    if (prop.type === 'object' && prop.properties !== undefined) {
      rows.push(...configRows(prop, `${path}.`))
      continue
    }
    const required = schema.required?.includes(name) === true
    const typeOf = (p: Prop): string => p.enum !== undefined ? p.enum.map((e) => `\`${String(e)}\``).join(' \\| ') : p.type === 'array' ? `${p.items?.type ?? ''}[]` : (p.type ?? '')
    const type = prop.anyOf !== undefined ? prop.anyOf.map(typeOf).join(' \\| ') : typeOf(prop)
    const range = prop.minimum !== undefined ? ` (${prop.minimum}–${prop.maximum})` : ''
    const def = required ? 'required' : prop.default === undefined ? '' : `\`${JSON.stringify(prop.default)}\``
    rows.push([`\`${path}\``, `${type}${range}`, def, prop.description ?? ''])
  }
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write('| field | type | default | meaning |\n|---|---|---|---|\n')
  for (const r of configRows()) process.stdout.write(`| ${r.join(' | ')} |\n`)
}
