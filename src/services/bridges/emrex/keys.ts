/**
 * Key layout of EMREX records in the node's `bridges` sublevel. Pure functions; every key holds
 * opaque IDs only (transfer and import IDs are random, learner IDs are the portal's opaque IDs,
 * EMREX session IDs are stored as their SHA-256 since they are bearer secrets).
 */
import { createHash } from 'node:crypto'

const enc = (part: string): string => encodeURIComponent(part)

/** An open or finished provider transfer (EMP side), by its random ID. */
export const transferKey = (transferId: string): string => `emrex/emp/${enc(transferId)}`
/** What was sent in a finished transfer (the evidence: client, digest, result IDs); immutable. */
export const sentKey = (transferId: string): string => `emrex/sent/${enc(transferId)}`
/** A client session (EMC side), by the SHA-256 of its EMREX sessionId. */
export const importSessionKey = (sessionId: string): string => `emrex/emc/${createHash('sha256').update(sessionId).digest('hex')}`
/** Imported foreign results of a learner; immutable. */
export const foreignResultKey = (learnerId: string, importId: string): string => `emrex/foreign/${enc(learnerId)}/${enc(importId)}`
/** The range of a learner's imported foreign results. */
export const foreignResultRange = (learnerId: string): { gt: string, lt: string } => ({ gt: `emrex/foreign/${enc(learnerId)}/`, lt: `emrex/foreign/${enc(learnerId)}/\xff` })
/** The signed ELMO document (gzip) an import came from, kept as evidence; immutable. */
export const foreignDocumentKey = (importId: string): string => `emrex/foreign-doc/${enc(importId)}`
/** Every open session record, for pruning. */
export const sessionRanges = [{ gt: 'emrex/emp/', lt: 'emrex/emp/\xff' }, { gt: 'emrex/emc/', lt: 'emrex/emc/\xff' }] as const
