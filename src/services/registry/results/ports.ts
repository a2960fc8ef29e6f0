/**
 * What the results registry needs from the rest of the node, as small interfaces the
 * composition root fills: the education registry's offering lookup, the log's proofs, and the
 * national index's pointer registration (it writes through the log's unit of work,
 * src/store/log/unit-of-work.ts). Keeping them here lets the registry be tested on its own and
 * keeps registries from importing each other.
 */
import type { Localised, SubjectId } from './model.ts'

/** An institution as the National Education Registry describes it (on some date). */
export interface InstitutionInfo {
  id: string
  organisationNumber: string
  name: Localised
  dbhCode?: string
  fsNumber?: string
}

/** The facts of an offering the results registry uses. */
export interface OfferingInfo {
  id: string
  /** The catalogue's offering kind (course, study-programme, …). */
  kind: string
  /** planned, active, discontinued or withdrawn (the registry's status of the version in force). */
  status?: string
  localCode: string
  title: Localised
  credits: number
  nkrLevel: string
  eqfLevel?: number
  iscedF: string
  /** NUS2000 code (6 digits), if the registry has one. */
  nusCode?: string
  languages: string[]
  gradingScale: string
  learningOutcomes: Localised
  /** A programme's special admission requirement code (MATRS, REALFA, …), if the registry has one. */
  admissionRequirement?: string
  /** A programme's kjønnspoeng code (`female:2`, …), if the registry has one. */
  genderPoints?: string
  /** The owner today (after mergers): who may issue and correct results for it. */
  owner?: InstitutionInfo
  /** The owner on the date asked: the issuer of a result of that date. */
  issuer?: InstitutionInfo
}

/** "Is this offering real, who owns it today, who was the issuer on that day" (cached). */
export interface OfferingCatalogue {
  /** The offering in force on `date` (YYYY-MM-DD), or undefined if the registry has none. Throws when the registry cannot be asked. */
  find(id: string, date: string): Promise<OfferingInfo | undefined>
}

/** A signed checkpoint note and the tree size it commits to. */
export interface SignedCheckpoint {
  note: string
  size: number
}

/** What the log offers to prove a served result is in it. */
export interface LogProofs {
  /** The latest signed checkpoint (with the cosignatures it has) covering at least `minSize` entries, signing one if needed. */
  checkpoint(minSize: number): Promise<SignedCheckpoint>
  /** RFC 9162 inclusion proof of leaf `index` in the tree of `treeSize`. */
  inclusionProof(index: number, treeSize: number): Promise<Uint8Array[]>
  /** The stored leaf and salt of entry `index`. */
  entry(index: number): Promise<{ leaf: Uint8Array, salt: Uint8Array }>
  /** Where the records of entries [start, end) are stored (to map result versions to log indexes). */
  locations(start: number, end: number): Promise<Array<{ index: number, sublevel?: string, key?: string }>>
  /** The committed size. */
  size(): number
  /** The log's origin and the verifier key of its checkpoints. */
  origin(): string
}

/** A learner the index must learn about, with a pointer "this node holds results of theirs". */
export interface PointerRegistration {
  subject: SubjectId
  givenNames: string
  familyName: string
  birthDate: string
}

/** The outcome per registration: done, refused for good (with a code), or to be tried again. */
export type PointerOutcome =
  | { status: 'registered', /** The index's opaque learner ID, when it said. */ learnerId?: string }
  | { status: 'rejected', code: string }
  | { status: 'retry', code: string }

/** An enrolment the index must list: the learner as for a pointer, and the study right. */
export interface EnrolmentRegistration extends PointerRegistration {
  /** The registry's national offering ID. */
  offeringId: string
  status: string
  startDate: string
  endDate: string
}

/** Registers learners and result-source pointers (and enrolments) at the national index, in batches. */
export interface PointerRegistrar {
  register(entries: readonly PointerRegistration[]): Promise<PointerOutcome[]>
  /** Registers the learners and their enrolments; absent where the node cannot. */
  registerEnrolments?: (entries: readonly EnrolmentRegistration[]) => Promise<PointerOutcome[]>
}
