/**
 * Key layout of the OOTS evidence provider in the node's `bridges` sublevel (everything starts
 * with `oots/`). Pure functions. No personal identifier appears in a key: learners are named by
 * the index's opaque learner ID, requests by the requester's UUIDs (hashed with the gateway).
 */
import { hash } from 'node:crypto'

/** A preview session (the two-step flow of TDD 4.9): `oots/preview/<preview id>`. */
export const previewKey = (previewId: string): string => `oots/preview/${previewId}`
/** Previews by expiry, for the sweep: `oots/preview-exp/<expires at ms, 14 hex>/<preview id>`. */
export const PREVIEW_EXPIRY_PREFIX = 'oots/preview-exp/'
export const previewExpiryKey = (expiresAt: number, previewId: string): string => `${PREVIEW_EXPIRY_PREFIX}${expiresAt.toString(16).padStart(14, '0')}/${previewId}`
/** QueryRequest IDs a gateway has used (each request is answered once, TDD 4.4): `oots/rid/<sha-256 of gateway and request ID>`. */
export const requestIdKey = (gateway: string, requestId: string): string => `oots/rid/${hash('sha256', `${gateway}\n${requestId}`, 'hex')}`
/** One exchange of the evidence exchange log (Implementing Regulation (EU) 2022/1463 Art. 17): `oots/x/<exchange id>`. */
export const exchangeKey = (exchangeId: string): string => `oots/x/${exchangeId}`
/** An exchange recorded before its learner was known, linked once they saw the request: `oots/x-link/<exchange id>` → learner ID. */
export const exchangeLinkKey = (exchangeId: string): string => `oots/x-link/${exchangeId}`
/** The learner's exchanges, newest last: `oots/by-learner/<learner id>/<time 14 hex>/<exchange id>`. */
export const byLearnerPrefix = (learnerId: string): string => `oots/by-learner/${learnerId}/`
export const byLearnerKey = (learnerId: string, at: number, exchangeId: string): string => `${byLearnerPrefix(learnerId)}${at.toString(16).padStart(14, '0')}/${exchangeId}`
/** Retention index: `oots/retain/<delete after ms, 14 hex>/<exchange id>`. */
export const RETENTION_PREFIX = 'oots/retain/'
export const retentionKey = (deleteAfter: number, exchangeId: string): string => `${RETENTION_PREFIX}${deleteAfter.toString(16).padStart(14, '0')}/${exchangeId}`
