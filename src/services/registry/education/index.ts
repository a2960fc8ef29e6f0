/**
 * The public surface of the education registry, for other modules and later issues
 * (`import … from 'lifelong/education'`):
 * - results (issue 6): {@link OfferingLookup} checks a result's offering ID at the registry over
 *   the catalogue protocol, cached, with the owner today and the issuer on the result's date;
 * - ELMO/ELM exports (issues 7, 8): {@link OfferingFacts} carries titles, credits, the EQF level
 *   ({@link eqfLevelOf}) and the grading scale; {@link toElm} renders an ELM 3 learning opportunity.
 * Everything else in this folder is internal to the registry.
 *
 * @module
 */
export { OfferingLookup } from './lookup.ts'
export type { OfferingFacts, OfferingLookupComponents, OfferingLookupInit } from './lookup.ts'
export { eqfLevelOf, checkNkrLevel, checkIscedF, checkNusCode, GRADING_SCALES, NKR_LEVELS, osloDate } from './codes.ts'
export { checkNationalId, formatNationalId } from './ids.ts'
export { toElm, toOoapi } from './exports.ts'
export { displayName, OFFERING_KINDS } from './model.ts'
export type { Offering, OfferingVersion, OfferingKind, Institution, InstitutionEvent, AccreditationDecision, Localised, Relation } from './model.ts'
export { EducationCodes } from './errors.ts'
export { CATALOGUE_PROTOCOL, GetOffering } from './protocol.ts'
export type { EducationModule } from './module.ts'
export type { AccreditationAnswer } from './history.ts'
