/**
 * The foreign results learners imported with EMREX (the client's immutable records), read
 * straight from the store, for the portal's results page. Light on purpose: the portal reads
 * these without loading the XML and signature libraries of the EMREX flows.
 */
import type { ForeignResults, ForeignResultsImport } from '../ports.ts'
import type { ImportedElmo } from './import.ts'
import { foreignResultRange } from './keys.ts'
import type { EmrexStore } from './store.ts'

/** Imported foreign results with their provenance (immutable, logged as `bridges.emrex-import`). */
export interface ForeignResultsRecord {
  readonly importId: string
  readonly learnerId: string
  readonly provider: { readonly id: string, readonly name: string, readonly country: string, readonly url: string }
  readonly receivedAt: number
  readonly signature: {
    readonly algorithm: string
    readonly digest: string
    /** SHA-256 fingerprint of the registry certificate that verified it. */
    readonly certificate: string
    readonly certificateSubject: string
  }
  /** SHA-256 (hex) of the received, signed XML; the document is kept (gzip) under `foreignDocumentKey`. */
  readonly elmoSha256: string
  readonly elmoBytes: number
  readonly elmo: ImportedElmo
  /** Everything unusual that was accepted (SHA-1, encoding repairs, schema deviations). */
  readonly warnings: readonly string[]
}

/** The learner's imported foreign results in `store`, oldest first. */
export async function importsOf (store: EmrexStore, learnerId: string): Promise<ForeignResultsRecord[]> {
  return await store.listJson<ForeignResultsRecord>(foreignResultRange(learnerId))
}

function textOf (texts: ReadonlyArray<{ lang?: string, text: string }>): string {
  return titleOf(texts).text
}

/** The English title if there is one (the provider's common language), else the first, with its language. */
function titleOf (texts: ReadonlyArray<{ lang?: string, text: string }>): { text: string, lang?: string } {
  const t = texts.find((x) => x.lang === 'en') ?? texts[0]
  return { text: t?.text ?? '', ...(t?.lang === undefined || t.lang === '' ? {} : { lang: t.lang }) }
}

/** An import as the portal's results page lists it (top-level results of every report). */
export function foreignResultsImport (r: ForeignResultsRecord): ForeignResultsImport {
  return {
    importId: r.importId,
    provider: { name: r.provider.name, country: r.provider.country },
    receivedAt: r.receivedAt,
    issuers: r.elmo.reports.map((rep) => textOf(rep.issuer.titles)).filter((t) => t !== ''),
    results: r.elmo.reports.flatMap((rep) => rep.opportunities.map((o) => {
      const ects = o.instance.credits.filter((c) => c.scheme.toLowerCase() === 'ects' && c.value !== undefined)
      const date = o.instance.date
      const title = titleOf(o.titles)
      const sum = ects.reduce((s, c) => s + (c.value ?? 0), 0)
      return {
        title: title.text,
        ...(title.lang === undefined ? {} : { lang: title.lang }),
        ...(o.instance.resultLabel === undefined ? {} : { grade: o.instance.resultLabel }),
        ...(ects.length === 0 ? {} : { credits: `${sum} ECTS`, ects: sum }),
        ...(date === undefined ? {} : { date })
      }
    })),
    link: `/emrex/import/results/${encodeURIComponent(r.importId)}`,
    warnings: r.warnings.length
  }
}

/** The portal's view of the foreign results imported with EMREX into `store`. */
export function emrexForeignResults (store: EmrexStore): ForeignResults {
  return {
    async forLearner (learnerId) {
      return (await importsOf(store, learnerId)).map(foreignResultsImport)
    }
  }
}
