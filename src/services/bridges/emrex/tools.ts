/**
 * Operator tools behind `lifelong emrex …`: export a learner's results as signed ELMO to a file,
 * verify a signed ELMO file against certificates, create a signing certificate.
 *
 * Until the portal's fan-out is on main, `export` reads the learner's verified results from a
 * JSON file of the bridge model (`LearnerResults`, or an object of them keyed by learner ID) or,
 * without one, from the development sample learners, and says so.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { LifelongError, ValidationError, type FieldError } from '../../../core/errors.ts'
import { loadConfig } from '../../../core/config/config.ts'
import type { LearnerResults } from '../../../core/bridges/model.ts'
import { createSelfSignedCertificate, loadSigningCredentials, loadTrustedCertificate, writeCertificateFiles, type SigningCredentials } from './certificate.ts'
import { norwegianDevelopmentLearners } from './dev-learners.ts'
import { readElmo, readElmoElement } from './import.ts'
import { signedElmo } from './signed-export.ts'
import { verifyElmoSignature } from './signature.ts'
import { parseElmoXml } from './xml.ts'

export interface ExportOptions {
  learnerId: string
  out: string
  /** A portal config whose `emrex` section names the certificate and key. */
  configFile?: string
  certificateFile?: string
  keyFile?: string
  /** JSON file with the learner's results; default: the development sample learners. */
  resultsFile?: string
  pdf: boolean
  nationalIdentifier: boolean
  /** Name on the PDF transcript. */
  issuer?: string
}

function credentialsOf (o: { configFile?: string, certificateFile?: string, keyFile?: string }): { credentials: SigningCredentials, issuer: string } {
  if (o.certificateFile !== undefined && o.keyFile !== undefined) return { credentials: loadSigningCredentials(o.certificateFile, o.keyFile), issuer: 'lifelong' }
  if (o.configFile !== undefined) {
    const config = loadConfig(o.configFile)
    if (config.emrex === undefined) throw new LifelongError('invalid', 'EMREX_NOT_CONFIGURED', `${o.configFile} has no emrex section`)
    return { credentials: loadSigningCredentials(config.emrex.certificateFile, config.emrex.keyFile), issuer: config.name }
  }
  throw new LifelongError('invalid', 'EMREX_NOT_CONFIGURED', 'give --config <portal config> or --cert and --key')
}

/** Checks the shape of a `LearnerResults` read from a file, reporting every bad field. */
export function assertLearnerResults (value: unknown, where: string): asserts value is LearnerResults {
  const fields: FieldError[] = []
  const v = value as Partial<LearnerResults> | null
  if (v === null || typeof v !== 'object') fields.push({ path: '/', message: 'not an object' })
  else {
    if (typeof v.generatedAt !== 'string') fields.push({ path: '/generatedAt', message: 'must be an ISO 8601 time' })
    if (typeof v.learner?.givenNames !== 'string') fields.push({ path: '/learner/givenNames', message: 'must be a string' })
    if (typeof v.learner?.familyName !== 'string') fields.push({ path: '/learner/familyName', message: 'must be a string' })
    if (!Array.isArray(v.learner?.identifiers)) fields.push({ path: '/learner/identifiers', message: 'must be an array' })
    if (!Array.isArray(v.results)) fields.push({ path: '/results', message: 'must be an array' })
    else {
      v.results.forEach((r, i) => {
        for (const k of ['id', 'kind', 'status', 'achievedOn', 'issuedOn'] as const) if (typeof r?.[k] !== 'string') fields.push({ path: `/results/${i}/${k}`, message: 'must be a string' })
        if (typeof r?.title !== 'object' || r.title === null) fields.push({ path: `/results/${i}/title`, message: 'must be a localised text' })
        if (typeof r?.issuer?.institutionId !== 'string') fields.push({ path: `/results/${i}/issuer`, message: 'must be an issuer' })
        if (!Array.isArray(r?.grades)) fields.push({ path: `/results/${i}/grades`, message: 'must be an array' })
      })
    }
  }
  if (fields.length > 0) throw new ValidationError('EMREX_LEARNER_RESULTS_INVALID', `${where}: ${fields.length} problem(s)`, fields)
}

function resultsFor (learnerId: string, resultsFile: string | undefined): { view: LearnerResults, source: string } {
  if (resultsFile === undefined) {
    const found = norwegianDevelopmentLearners().find((l) => l.learner.learnerId === learnerId)
    if (found === undefined) throw new LifelongError('not-found', 'EMREX_LEARNER_UNKNOWN', `no development learner ${learnerId} (known: ${norwegianDevelopmentLearners().map((l) => l.learner.learnerId).join(', ')})`)
    return { view: { ...found.results, generatedAt: new Date().toISOString() }, source: 'development sample data (the portal\'s results are not wired in yet)' }
  }
  let json: unknown
  try {
    json = JSON.parse(readFileSync(resultsFile, 'utf8'))
  } catch (err) {
    throw new LifelongError('invalid', 'EMREX_LEARNER_RESULTS_UNREADABLE', `cannot read ${resultsFile} as JSON`, { cause: err })
  }
  const candidate = (json as { learner?: unknown }).learner !== undefined ? json : (json as Record<string, unknown>)[learnerId]
  if (candidate === undefined) throw new LifelongError('not-found', 'EMREX_LEARNER_UNKNOWN', `${resultsFile} has no learner ${learnerId}`)
  assertLearnerResults(candidate, resultsFile)
  return { view: candidate, source: resultsFile }
}

/** Writes the learner's signed ELMO document; returns what to tell the operator. */
export async function exportElmo (o: ExportOptions): Promise<{ out: string, bytes: number, reports: number, source: string, sha256: string }> {
  const { credentials, issuer } = credentialsOf(o)
  const { view, source } = resultsFor(o.learnerId, o.resultsFile)
  const signed = await signedElmo(view, credentials, { ...(o.pdf ? { transcriptIssuer: o.issuer ?? issuer } : {}), includeNationalIdentifier: o.nationalIdentifier })
  writeFileSync(o.out, signed.xml)
  return { out: o.out, bytes: Buffer.byteLength(signed.xml), reports: readElmo(signed.xml).reports.length, source, sha256: signed.sha256 }
}

/**
 * Verifies a signed ELMO file against the given certificates, and certificates the provider
 * retired (each valid for documents generated before its time); returns a summary (no personal data).
 */
export function verifyElmoFile (
  file: string,
  certificateFiles: readonly string[],
  retired: ReadonlyArray<{ file: string, retiredAt: number }> = []
): { signatureAlgorithm: string, certificate: string, warnings: readonly string[], reports: number, opportunities: number } {
  let xml: string
  try {
    xml = readFileSync(file, 'utf8')
  } catch (err) {
    throw new LifelongError('invalid', 'ELMO_UNREADABLE', `cannot read ${file}`, { cause: err })
  }
  // The operator's own command: checked on this thread, within the same ELMO limits as received documents.
  const check = verifyElmoSignature(parseElmoXml(xml), [...certificateFiles.map(loadTrustedCertificate), ...retired.map((r) => ({ ...loadTrustedCertificate(r.file), retiredAt: r.retiredAt }))])
  const elmo = readElmoElement(check.signed)
  return {
    signatureAlgorithm: check.signatureAlgorithm,
    certificate: check.certificate.fingerprint256,
    warnings: [...check.warnings, ...elmo.warnings],
    reports: elmo.reports.length,
    opportunities: elmo.reports.reduce((n, r) => n + r.opportunities.length, 0)
  }
}

/** Creates an RSA key and self-signed certificate for a portal's ELMO signatures. */
export async function createCertificate (o: { certificateFile: string, keyFile: string, commonName: string, organisation?: string, country: string, validDays: number, modulusLength?: number }): Promise<{ fingerprint256: string }> {
  const bits = o.modulusLength ?? 3072
  if (bits !== 2048 && bits !== 3072 && bits !== 4096) throw new LifelongError('invalid', 'EMREX_KEY_INVALID', 'the RSA key size must be 2048, 3072 or 4096 bits')
  writeCertificateFiles(
    o.certificateFile,
    o.keyFile,
    await createSelfSignedCertificate({ commonName: o.commonName, ...(o.organisation === undefined ? {} : { organisation: o.organisation }), country: o.country, validDays: o.validDays, modulusLength: bits })
  )
  return { fingerprint256: loadTrustedCertificate(o.certificateFile).fingerprint256 }
}
