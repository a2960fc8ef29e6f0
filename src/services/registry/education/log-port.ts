/**
 * The log entry types of the education registry. It writes through the node's unit of work
 * (src/store/log/unit-of-work.ts, docs/LOG.md): each version, event and decision is a record with
 * its own entry, in the same atomic batch. Log entry keys are opaque national IDs and sequence
 * numbers.
 */

/** The log entry types this module appends. */
export const EDUCATION_LOG_TYPES = {
  offeringVersion: 'education.offering-version',
  institutionVersion: 'education.institution-version',
  institutionEvent: 'education.institution-event',
  accreditationDecision: 'education.accreditation-decision',
  catalogueVersion: 'education.catalogue-version'
} as const
