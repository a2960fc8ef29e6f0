/**
 * Identifier checks for people and organisations, exported as `lifelong/identifiers`.
 * Pure functions: no I/O, no state, no dependencies beyond Node built-ins.
 *
 * - National IDs (fødselsnummer, D-, H-, FH-numbers, synthetic test numbers; the legacy and the
 *   2032 check-digit rules): {@link validateNationalId}, {@link isValidNationalId},
 *   {@link isAcceptableNationalId}, {@link normaliseNationalId}.
 * - Organisation numbers: {@link validateOrganisationNumber}, {@link isValidOrganisationNumber},
 *   {@link normaliseOrganisationNumber}.
 * - Education IDs for people with no Norwegian number: {@link generateEducationId},
 *   {@link validateEducationId}, {@link isValidEducationId}, {@link normaliseEducationId}.
 *
 * The registries never derive birth date or gender from a national ID for storage.
 *
 * @module
 */

export {
  validateNationalId,
  isValidNationalId,
  isAcceptableNationalId,
  normaliseNationalId
} from './national-id.ts'
export type {
  NationalIdKind,
  SyntheticSource,
  ChecksumRule,
  NationalIdFailure,
  NationalIdNote,
  NationalIdResult,
  NationalIdOptions,
  NationalIdPolicy
} from './national-id.ts'

export {
  validateOrganisationNumber,
  isValidOrganisationNumber,
  normaliseOrganisationNumber
} from './organisation-number.ts'
export type { OrganisationNumberFailure, OrganisationNumberResult } from './organisation-number.ts'

export {
  EDUCATION_ID_PREFIX,
  EDUCATION_ID_ALPHABET,
  EDUCATION_ID_LENGTH,
  generateEducationId,
  validateEducationId,
  isValidEducationId,
  normaliseEducationId
} from './education-id.ts'
export type { EducationIdFailure, EducationIdResult } from './education-id.ts'
