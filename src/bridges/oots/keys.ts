/**
 * Key layout of the OOTS evidence provider in the node's `bridges` sublevel (everything starts
 * with `oots/`). Pure functions. No personal identifier appears in a key: learners are named by
 * the index's opaque learner ID, requests by the requester's UUIDs.
 */

/** A preview session (the two-step flow of TDD 4.9): `oots/preview/<preview id>`. */
export const previewKey = (previewId: string): string => `oots/preview/${previewId}`
/** QueryRequest IDs already answered with evidence (replay guard): `oots/answered/<request id>`. */
export const answeredKey = (requestId: string): string => `oots/answered/${encodeURIComponent(requestId)}`
/** One exchange of the evidence exchange log (Implementing Regulation (EU) 2022/1463 Art. 17): `oots/x/<exchange id>`. */
export const exchangeKey = (exchangeId: string): string => `oots/x/${exchangeId}`
/** The learner's exchanges, newest last: `oots/by-learner/<learner id>/<time 14 hex>/<exchange id>`. */
export const byLearnerPrefix = (learnerId: string): string => `oots/by-learner/${learnerId}/`
export const byLearnerKey = (learnerId: string, at: number, exchangeId: string): string => `${byLearnerPrefix(learnerId)}${at.toString(16).padStart(14, '0')}/${exchangeId}`
/** Retention index: `oots/retain/<delete after ms, 14 hex>/<exchange id>`. */
export const RETENTION_PREFIX = 'oots/retain/'
export const retentionKey = (deleteAfter: number, exchangeId: string): string => `${RETENTION_PREFIX}${deleteAfter.toString(16).padStart(14, '0')}/${exchangeId}`
