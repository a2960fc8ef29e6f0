/**
 * The signed result (pure): a `ResultRecord` in a SignedEnvelope of domain `lifelong/result/v1`,
 * signed by the institution node's key. The envelope's exact bytes are what the node stores,
 * logs and serves; verifiers check the signature over those bytes before decoding the record,
 * and never re-encode it.
 *
 * The learner's national ID is not in the record: `Subject.identifier_commitment` is
 * SHA-256("lifelong/result/subject/v1" ‖ 0x00 ‖ salt ‖ scheme ‖ 0x00 ‖ identifier), and the
 * 32-byte salt is handed only to the portal acting for the learner. A shared result thus shows
 * name and birth date, and binds to the number without revealing it (the salt makes guessing
 * the 11 digits useless).
 */
import { createHash } from 'node:crypto'
import { lifelong } from '../../../core/gen/proto.js'
import { decodeEnvelope, sealEnvelope, verifyDecodedEnvelope, verifyEnvelopeMlDsa } from '../../../core/crypto/envelope.ts'
import type { SigningKey } from '../../../core/crypto/ed25519.ts'
import { LifelongError } from '../../../core/errors.ts'
import { isPass, type Localised, type SubjectId } from './model.ts'
import { RESULT_DOMAIN, RESULT_PAYLOAD_TYPE } from './seal.ts'

export { RESULT_DOMAIN, RESULT_PAYLOAD_TYPE }
/** A signed result larger than this is refused before decoding. */
export const MAX_RESULT_BYTES = 256 * 1024

export type ResultRecordProps = lifelong.results.ResultRecord.$Properties

const SUBJECT_LABEL = new TextEncoder().encode('lifelong/result/subject/v1\0')
const enc = new TextEncoder()

/** The commitment to a learner identifier under a subject salt. */
export function subjectCommitment (salt: Uint8Array, subject: SubjectId): Uint8Array {
  return new Uint8Array(createHash('sha256').update(SUBJECT_LABEL).update(salt).update(enc.encode(subject.scheme)).update(new Uint8Array([0])).update(enc.encode(subject.value)).digest())
}

/** Signs a result version; returns the SignedEnvelope bytes to store and log. */
export function sealResult (key: SigningKey, record: ResultRecordProps): Uint8Array {
  return sealEnvelope(key, RESULT_DOMAIN, RESULT_PAYLOAD_TYPE, lifelong.results.ResultRecord.encode(record).finish())
}

/** SHA-256 of a version's envelope bytes: the `previous` link of the next version. */
export function versionHash (envelope: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(envelope).digest())
}

export interface OpenedResult {
  /** Raw Ed25519 key of the signer. */
  publicKey: Uint8Array
  /** Raw ML-DSA-65 key of a hybrid seal, whose signature was verified (whose key it is, the caller checks). */
  mlDsaPublicKey?: Uint8Array
  record: lifelong.results.ResultRecord
}

/**
 * Checks size, decodes the envelope, verifies the signature for the result domain over the
 * exact bytes, checks the payload type, and only then decodes the record.
 *
 * @throws LifelongError `RESULTS_TOO_LARGE`, `RESULTS_MALFORMED`, `RESULTS_BAD_SIGNATURE`, `RESULTS_WRONG_TYPE`
 */
export function openResult (bytes: Uint8Array): OpenedResult {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_RESULT_BYTES) throw new LifelongError('too-large', 'RESULTS_TOO_LARGE', `a signed result is at most ${MAX_RESULT_BYTES} bytes`)
  let env
  try {
    env = decodeEnvelope(bytes)
  } catch (err) {
    throw new LifelongError('invalid', 'RESULTS_MALFORMED', 'not a signed envelope', { cause: err })
  }
  try {
    verifyDecodedEnvelope(env, RESULT_DOMAIN)
  } catch (err) {
    throw new LifelongError('forbidden', 'RESULTS_BAD_SIGNATURE', 'the result\'s signature does not verify', { cause: err })
  }
  // A hybrid seal's ML-DSA-65 half is checked under the key it names: a bad one refuses the
  // result outright; whether that key is the source's is the caller's check (verify.ts).
  let mlDsa: Uint8Array | 'absent'
  try {
    mlDsa = verifyEnvelopeMlDsa(env, RESULT_DOMAIN, env.mlDsaPublicKey === undefined || env.mlDsaPublicKey === null ? [] : [env.mlDsaPublicKey])
  } catch (err) {
    throw new LifelongError('forbidden', 'RESULTS_BAD_SIGNATURE', 'the result\'s ML-DSA-65 signature does not verify', { cause: err })
  }
  if (env.payloadType !== RESULT_PAYLOAD_TYPE) throw new LifelongError('invalid', 'RESULTS_WRONG_TYPE', 'the envelope does not carry a result')
  let record: lifelong.results.ResultRecord
  try {
    record = lifelong.results.ResultRecord.decode(env.payload)
  } catch (err) {
    throw new LifelongError('invalid', 'RESULTS_MALFORMED', 'the signed payload is not a result record', { cause: err })
  }
  if (record.resultId === '' || record.version < 1 || record.issuer == null || record.subject == null) {
    throw new LifelongError('invalid', 'RESULTS_MALFORMED', 'the result record lacks its ID, version, issuer or subject')
  }
  return { publicKey: env.publicKey, ...(mlDsa === 'absent' ? {} : { mlDsaPublicKey: mlDsa }), record }
}

/** A grade as shown and handed on. */
export interface GradeView {
  scale: string
  value: string
  component: string
  passed: boolean
}

export interface InstitutionView {
  institutionId: string
  organisationNumber: string
  name: Localised
  dbhCode?: string
  fsNumber?: string
}

export interface PartView {
  resultId?: string
  offeringId?: string
  localCode?: string
  title: Localised
  grades: GradeView[]
  credits?: number
  achievedOn?: string
  term?: string
}

/** A result version as plain facts (from a record whose signature was checked). */
export interface ResultView {
  resultId: string
  version: number
  status: string
  kind: string
  offeringId?: string
  localCode?: string
  title: Localised
  issuer: InstitutionView
  subject: { givenNames: string, familyName: string, birthDate?: string }
  achievedOn: string
  issuedOn: string
  term?: string
  grades: GradeView[]
  credits?: number
  nkrLevel?: string
  eqfLevel?: number
  iscedF?: string
  languages: string[]
  learningOutcomes?: Localised
  microCredential?: lifelong.results.MicroCredential.$Properties
  recognition?: { foreignInstitution: string, country: string, foreignTitle: string, recognisedAs: Localised, decidedBy: string, decisionReference?: string }
  parts: PartView[]
  reason?: string
  recordedBy: string
  recordedAt: number
}

export function localisedOf (t: lifelong.results.IText | null | undefined): Localised {
  const out: Localised = {}
  if (t?.nb) out.nb = t.nb
  if (t?.nn) out.nn = t.nn
  if (t?.en) out.en = t.en
  return out
}

export function textOf (l: Localised | undefined): lifelong.results.IText {
  return { nb: l?.nb ?? '', nn: l?.nn ?? '', en: l?.en ?? '' }
}

const opt = (s: string | null | undefined): string | undefined => s === '' || s == null ? undefined : s
const gradeView = (g: lifelong.results.IGrade): GradeView => ({ scale: g.scale ?? '', value: g.value ?? '', component: g.component || 'final', passed: isPass(g.scale ?? '', g.value ?? '') })

/** The plain facts of a decoded record. */
export function resultView (r: lifelong.results.ResultRecord): ResultView {
  const i = r.issuer ?? {}
  const view: ResultView = {
    resultId: r.resultId,
    version: r.version,
    status: r.status,
    kind: r.kind,
    title: localisedOf(r.title),
    issuer: { institutionId: i.institutionId ?? '', organisationNumber: i.organisationNumber ?? '', name: localisedOf(i.name) },
    subject: { givenNames: r.subject?.givenNames ?? '', familyName: r.subject?.familyName ?? '' },
    achievedOn: r.achievedOn,
    issuedOn: r.issuedOn,
    grades: r.grades.map(gradeView),
    languages: [...r.languages],
    parts: r.parts.map((p) => ({
      ...(opt(p.resultId) === undefined ? {} : { resultId: p.resultId as string }),
      ...(opt(p.offeringId) === undefined ? {} : { offeringId: p.offeringId as string }),
      ...(opt(p.localCode) === undefined ? {} : { localCode: p.localCode as string }),
      title: localisedOf(p.title),
      grades: (p.grades ?? []).map(gradeView),
      ...(p.creditsTenths ? { credits: p.creditsTenths / 10 } : {}),
      ...(opt(p.achievedOn) === undefined ? {} : { achievedOn: p.achievedOn as string }),
      ...(opt(p.term) === undefined ? {} : { term: p.term as string })
    })),
    recordedBy: r.recordedBy,
    recordedAt: Number(r.recordedAtMs)
  }
  if (opt(i.dbhCode) !== undefined) view.issuer.dbhCode = i.dbhCode as string
  if (opt(i.fsNumber) !== undefined) view.issuer.fsNumber = i.fsNumber as string
  if (opt(r.subject?.birthDate) !== undefined) view.subject.birthDate = r.subject?.birthDate as string
  if (opt(r.offeringId) !== undefined) view.offeringId = r.offeringId
  if (opt(r.localCode) !== undefined) view.localCode = r.localCode
  if (opt(r.term) !== undefined) view.term = r.term
  if (r.creditsTenths > 0) view.credits = r.creditsTenths / 10
  if (opt(r.nkrLevel) !== undefined) view.nkrLevel = r.nkrLevel
  if (r.eqfLevel > 0) view.eqfLevel = r.eqfLevel
  if (opt(r.iscedF) !== undefined) view.iscedF = r.iscedF
  const outcomes = localisedOf(r.learningOutcomes)
  if (Object.keys(outcomes).length > 0) view.learningOutcomes = outcomes
  if (r.microCredential != null) view.microCredential = r.microCredential
  if (r.recognition != null && opt(r.recognition.foreignTitle) !== undefined) {
    const rec = r.recognition
    view.recognition = {
      foreignInstitution: rec.foreignInstitution ?? '',
      country: rec.country ?? '',
      foreignTitle: rec.foreignTitle ?? '',
      recognisedAs: localisedOf(rec.recognisedAs),
      decidedBy: rec.decidedBy ?? '',
      ...(opt(rec.decisionReference) === undefined ? {} : { decisionReference: rec.decisionReference as string })
    }
  }
  if (opt(r.reason) !== undefined) view.reason = r.reason
  return view
}
