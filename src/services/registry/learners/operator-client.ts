/**
 * The operator's side of the change-request queue over the index node's HTTP API (scope
 * `learners.approve`), for `lifelong learners requests` and `lifelong learners decide`: list
 * what members asked for, approve or reject one. Bodies go by POST: identifiers never travel
 * in a URL.
 */
import { LifelongError, receivedCode } from '../../../core/errors.ts'
import type { Identifier } from './model.ts'

/** Why the operator reads the queue or decides: recorded in the learner's access log. */
export interface OperatorWhy {
  purpose: string
  legalBasis: string
}

export const OPERATOR_WHY: OperatorWhy = { purpose: 'index.identity-maintenance', legalBasis: 'gdpr-6-1-e' }

/** A change request as the index's API returns it. */
export interface ChangeRequestJson {
  id: string
  learnerId: string
  kind: string
  identifier: Identifier
  replaces?: Identifier
  status: string
  requestedBy: { organisationNumber: string, name: string, peerId: string, role: string }
  requestedAtMs: number
  decidedAtMs?: number
  note: string
  version?: number
}

async function post<T> (node: string, path: string, token: string, body: unknown): Promise<T> {
  const url = `${node.replace(/\/$/, '')}${path}`
  let res: Response
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) })
  } catch (err) {
    throw new LifelongError('unavailable', 'LEARNERS_NODE_UNREACHABLE', `cannot reach the index node at ${url}: ${(err as Error).message}`, { cause: err })
  }
  const json = await res.json().catch(() => ({})) as T & { code?: string, message?: string }
  if (!res.ok) {
    throw new LifelongError(
      res.status === 404 ? 'not-found' : res.status === 409 ? 'conflict' : res.status === 403 || res.status === 401 ? 'forbidden' : 'invalid',
      receivedCode(json.code, 'LEARNERS_REFUSED'),
      json.message ?? `HTTP ${res.status}`
    )
  }
  return json
}

/** The change requests in `status` (pending by default), oldest first. */
export async function fetchChangeRequests (node: string, token: string, options: { status?: string, limit?: number } & Partial<OperatorWhy> = {}): Promise<ChangeRequestJson[]> {
  const body = { status: options.status ?? 'pending', ...(options.limit === undefined ? {} : { limit: options.limit }), purpose: options.purpose ?? OPERATOR_WHY.purpose, legalBasis: options.legalBasis ?? OPERATOR_WHY.legalBasis }
  return (await post<{ requests: ChangeRequestJson[] }>(node, '/learners/change-requests', token, body)).requests
}

/** Approves or rejects one change request; the answer is the request as decided. */
export async function sendDecision (node: string, token: string, id: string, decision: 'approve' | 'reject', note: string, why: Partial<OperatorWhy> = {}): Promise<ChangeRequestJson> {
  return await post<ChangeRequestJson>(node, '/learners/change-requests/decide', token, { id, decision, note, purpose: why.purpose ?? OPERATOR_WHY.purpose, legalBasis: why.legalBasis ?? OPERATOR_WHY.legalBasis })
}
