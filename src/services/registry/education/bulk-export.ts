/**
 * The whole catalogue in one download, streamed: as an ELM 3 dataset (a JSON-LD document whose
 * `@graph` holds one `LearningOpportunity` per offering, each with its `Qualification` or
 * `LearningAchievementSpecification`: what the Europass Qualification Dataset Register takes)
 * and as OOAPI v5 (one page of `items`, programs and courses). Each offering is rendered by the
 * same functions as its own export (exports.ts), as in force on `asOf`, with its owner today.
 * Text is produced in chunks of a few hundred offerings, yielding to the event loop between
 * them, so that a download of 100,000 offerings neither holds the document in memory nor
 * stalls the node.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { selectVersion } from './history.ts'
import { toElm, toOoapi, REGISTRY_URI } from './exports.ts'
import type { EducationRegistry } from './registry.ts'

const CHUNK = 250

export interface BulkOptions {
  /** The date the catalogue is as of (default today). */
  asOf?: string
  /** Only these kinds. */
  kinds?: readonly string[]
}

/** The IDs of offerings with a version in force on the date, in national-ID order. */
function idsInForce (registry: EducationRegistry, date: string, kinds: readonly string[] | undefined): string[] {
  const out: string[] = []
  for (const [id, versions] of registry.store.offerings) {
    const v = selectVersion(versions, { validOn: date })
    if (v !== undefined && (kinds === undefined || kinds.length === 0 || kinds.includes(v.offering.kind))) out.push(id)
  }
  return out.sort()
}

async function* chunks (ids: readonly string[], render: (id: string) => string | undefined): AsyncGenerator<string> {
  let first = true
  for (let i = 0; i < ids.length; i += CHUNK) {
    const parts: string[] = []
    for (const id of ids.slice(i, i + CHUNK)) {
      const json = render(id)
      if (json === undefined) continue
      parts.push(first ? json : `,${json}`)
      first = false
    }
    if (parts.length > 0) yield parts.join('')
    await yieldToLoop()
  }
}

/** The catalogue as an ELM 3 JSON-LD dataset, in chunks of text. */
export async function* elmDataset (registry: EducationRegistry, options: BulkOptions = {}): AsyncGenerator<string> {
  const date = options.asOf ?? registry.today()
  const ids = idsInForce(registry, date, options.kinds)
  const context = ['https://www.w3.org/ns/credentials/v2', 'http://data.europa.eu/snb/model/context/edc-ap']
  yield `{"@context":${JSON.stringify(context)},"id":${
    JSON.stringify(`${REGISTRY_URI}/datasets/elm/${date}`)
  },"title":{"en":["Norwegian national education registry: every offering in force on ${date}"],"nb":["Nasjonalt utdanningsregister: alle tilbud gjeldende ${date}"]},"issued":${JSON.stringify(new Date().toISOString())},"@graph":[`
  yield* chunks(ids, (id) => {
    const view = registry.getOffering(id, { validOn: date })
    const parts = view.version.offering.relations.filter((r) => r.type === 'contains-mandatory' || r.type === 'contains-elective').flatMap((r) => {
      const t = selectVersion(registry.store.offerings.get(r.target) ?? [], { validOn: date })
      return t === undefined ? [] : [{ id: r.target, name: t.offering.name }]
    })
    const { '@context': _context, ...body } = toElm(view.version, view.currentOwner, parts)
    return JSON.stringify(body)
  })
  yield `],"totalItems":${ids.length}}`
}

/** The catalogue as one OOAPI v5 page of programs and courses, in chunks of text. */
export async function* ooapiDataset (registry: EducationRegistry, options: BulkOptions = {}): AsyncGenerator<string> {
  const date = options.asOf ?? registry.today()
  const ids = idsInForce(registry, date, options.kinds)
  yield '{"items":['
  yield* chunks(ids, (id) => {
    const view = registry.getOffering(id, { validOn: date })
    return JSON.stringify(toOoapi(view.version, view.currentOwner))
  })
  yield `],"pageSize":${ids.length},"pageNumber":1,"hasPreviousPage":false,"hasNextPage":false,"totalPages":1}`
}
