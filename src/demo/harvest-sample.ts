/**
 * OsloMet's sample course results as its student system would hand them over by a standard:
 * one ELMO 1.7 document per learner in a directory that OsloMet's node harvests (`harvest`
 * config section, source `fs-elmo`). The demo writes the documents and starts the harvest over
 * HTTP with a development service token, as an operator would with curl.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { LifelongError } from '../core/errors.ts'
import { escapeText } from '../services/bridges/emrex/xml.ts'
import type { LearnerInput, ResultInput } from '../services/registry/results/model.ts'

/** The source ID and where its documents are, under the demo directory. */
export const DEMO_HARVEST = { institution: 'oslomet', source: 'fs-elmo', dir: (demoDir: string): string => join(demoDir, 'oslomet-fs-elmo') } as const

/** The `harvest` config section of the harvesting institution. */
export function demoHarvestConfig (demoDir: string): Record<string, unknown> {
  return { harvest: { sources: [{ id: DEMO_HARVEST.source, format: 'elmo', file: DEMO_HARVEST.dir(demoDir) }] } }
}

/** One ELMO document for a learner's course results (`localCode` is the student system's course code). */
export function elmoDocument (learner: LearnerInput, results: Array<ResultInput & { localCode: string }>, issuer: { name: string, url: string }): string {
  const los = results.map((r) => `
    <learningOpportunitySpecification>
      <identifier type="local">${escapeText(r.localCode)}</identifier>
      <identifier type="no-offering-id">${escapeText(r.offeringId ?? '')}</identifier>
      <title xml:lang="nb">${escapeText(r.localCode)}</title>
      <type>Course</type>
      <specifies>
        <learningOpportunityInstance>
          <identifier type="local">${escapeText(r.externalId ?? '')}</identifier>
          <date>${r.achievedOn ?? ''}</date>
          <status>passed</status>
          <resultLabel>${escapeText(r.grades?.[0]?.value ?? '')}</resultLabel>
        </learningOpportunityInstance>
      </specifies>
    </learningOpportunitySpecification>`).join('')
  return `<?xml version="1.0" encoding="UTF-8"?>
<elmo xmlns="https://github.com/emrex-eu/elmo-schemas/tree/v1">
  <generatedDate>${new Date().toISOString()}</generatedDate>
  <learner>
    <citizenship>NO</citizenship>
    <identifier type="nationalIdentifier">${escapeText(learner.nationalId ?? '')}</identifier>
    <givenNames>${escapeText(learner.givenNames)}</givenNames>
    <familyName>${escapeText(learner.familyName)}</familyName>
    ${learner.birthDate === undefined ? '' : `<bday>${learner.birthDate}</bday>`}
  </learner>
  <report>
    <issuer>
      <country>NO</country>
      <title xml:lang="nb">${escapeText(issuer.name)}</title>
      <url>${escapeText(issuer.url)}</url>
    </issuer>${los}
    <issueDate>${new Date().toISOString()}</issueDate>
  </report>
</elmo>
`
}

/** Writes one document per learner with course results into the source's directory. */
export function writeHarvestDocuments (demoDir: string, learners: readonly LearnerInput[], courses: ReadonlyArray<ResultInput & { localCode: string }>, issuer: { name: string, url: string }): number {
  const dir = DEMO_HARVEST.dir(demoDir)
  mkdirSync(dir, { recursive: true })
  let n = 0
  learners.forEach((l, i) => {
    const mine = courses.filter((c) => c.learner?.nationalId === l.nationalId)
    if (mine.length === 0) return
    writeFileSync(join(dir, `learner-${i + 1}.xml`), elmoDocument(l, mine, issuer))
    n++
  })
  return n
}

/** Starts the harvest at the node over HTTP and waits for its report. */
export async function runDemoHarvest (baseUrl: string, token: string): Promise<{ issued: number, unchanged: number }> {
  const headers = { authorization: `Bearer ${token}` }
  const started = await fetch(`${baseUrl}/results/harvest/${DEMO_HARVEST.source}/runs`, { method: 'POST', headers })
  if (started.status !== 202) throw new LifelongError('internal', 'DEMO_RESULTS_REJECTED', `the harvest did not start: HTTP ${started.status}`)
  for (let i = 0; i < 1200; i++) {
    const { run } = await (await fetch(`${baseUrl}/results/harvest/${DEMO_HARVEST.source}`, { headers })).json() as {
      run: { state: string, report?: { results: { issued: number, unchanged: number } }, problems: Array<{ path: string, code: string }>, error?: { code: string, message: string } }
    }
    if (run.state === 'done') return run.report!.results
    if (run.state === 'failed') throw new LifelongError('internal', 'DEMO_RESULTS_REJECTED', `the harvest failed: ${run.error?.code ?? ''} ${run.problems.map((p) => `${p.path} ${p.code}`).join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new LifelongError('internal', 'DEMO_RESULTS_REJECTED', 'the harvest did not finish')
}
