/**
 * The education registry's error codes by name (declared with their meaning in
 * src/core/error-codes/education.ts; stable: part of the HTTP and wire contract). Each is a
 * {@link LifelongError} whose kind decides the HTTP and wire status.
 */
import { LifelongError, ValidationError, type ErrorCode, type ErrorKind, type FieldError } from '../../../core/errors.ts'

export const EducationCodes = {
  /** An offering, institution, event or decision breaks a field rule (NKR, NUS, credits, …): see fields. */
  offeringInvalid: 'EDUCATION_OFFERING_INVALID',
  institutionInvalid: 'EDUCATION_INSTITUTION_INVALID',
  eventInvalid: 'EDUCATION_EVENT_INVALID',
  decisionInvalid: 'EDUCATION_DECISION_INVALID',
  /** The change names an owner institution the registry does not know. */
  unknownOwner: 'EDUCATION_UNKNOWN_OWNER',
  /** The sender's organisation number matches no institution in the registry. */
  notAnInstitution: 'EDUCATION_NOT_AN_INSTITUTION',
  /** The sender is not the offering's owner (after mergers and transfers). */
  wrongOwner: 'EDUCATION_WRONG_OWNER',
  /** The national ID was never minted by this registry. */
  unknownOffering: 'EDUCATION_UNKNOWN_OFFERING',
  unknownInstitution: 'EDUCATION_UNKNOWN_INSTITUTION',
  unknownSubject: 'EDUCATION_UNKNOWN_SUBJECT',
  /** The change would put another offering under an existing national ID. */
  idReuse: 'EDUCATION_ID_REUSE',
  /** A relation points at an offering that does not exist. */
  relationUnknownTarget: 'EDUCATION_RELATION_UNKNOWN_TARGET',
  /** The containment relations would form a cycle. */
  relationCycle: 'EDUCATION_RELATION_CYCLE',
  /** Accreditation decisions come only from accreditor nodes. */
  notAccreditor: 'EDUCATION_NOT_ACCREDITOR',
  decidedByMismatch: 'EDUCATION_DECIDED_BY_MISMATCH',
  /** Two changes of one request are about the same offering. */
  duplicateChange: 'EDUCATION_DUPLICATE_CHANGE',
  uploadInvalid: 'EDUCATION_UPLOAD_INVALID',
  uploadExpired: 'EDUCATION_UPLOAD_EXPIRED',
  importInvalid: 'EDUCATION_IMPORT_INVALID',
  /** The registry did not answer an import: it may have committed it; the node finishes it later. */
  importPending: 'EDUCATION_IMPORT_PENDING',
  importUnreadable: 'EDUCATION_IMPORT_UNREADABLE',
  registryUnavailable: 'EDUCATION_REGISTRY_UNAVAILABLE',
  queryInvalid: 'EDUCATION_QUERY_INVALID'
} as const

export function educationError (kind: ErrorKind, code: ErrorCode, message: string, details?: unknown): LifelongError {
  return new LifelongError(kind, code, message, details === undefined ? {} : { details })
}

export function fieldsError (code: ErrorCode, message: string, fields: FieldError[]): ValidationError {
  return new ValidationError(code, `${message}: ${fields.slice(0, 5).map((f) => `${f.path} ${f.message}`).join('; ')}${fields.length > 5 ? ` (+${fields.length - 5} more)` : ''}`, fields)
}

/** Why a node found no registry to ask, and what the operator does about it. */
export const NO_REGISTRY_MESSAGE =
  'no registry node in the federation manifest: the operator adds a member with the role registry (lifelong init --role registry …) to the manifest and signs it again (lifelong manifest sign); `lifelong check --config <file>` lists what a node lacks'

/** The refusal of a publisher the registry knows no institution for, naming the next step. */
export function notRegistered (organisationNumber: string): string {
  return `organisation ${organisationNumber} is not an institution in the registry: the operator registers it first (lifelong registry add-institution --org-number ${organisationNumber} …, or POST /education/admin/institutions)`
}
