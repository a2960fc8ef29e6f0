/**
 * Node roles and which of them one node may combine.
 *
 * An institution and the accreditor are separate organisations from the national operator and
 * from each other, so each runs alone: an institution that also ran the portal could read every
 * learner's results, and an accreditor that also held a catalogue could accredit itself. The
 * national operator's roles (index, registry, portal) may share one node in a small deployment.
 * The consumers — `admission` (the Norwegian Universities and Colleges Admission Service, NUCAS /
 * Samordna opptak) and `finance` (the State Educational Loan Fund, Lånekassen) — are agencies of
 * their own, each reading learners' data only under its own rights (consumer-rights.ts), so each
 * runs alone too.
 */
export const ROLES = ['institution', 'index', 'registry', 'accreditor', 'portal', 'admission', 'finance'] as const
export type Role = typeof ROLES[number]

/** Roles that must be the only role of their node. */
const SOLITARY: readonly Role[] = ['institution', 'accreditor', 'admission', 'finance']

/** The roles that read learners' data for an agency's own task, under {@link Role}-specific rights. */
export const CONSUMER_ROLES = ['admission', 'finance'] as const satisfies readonly Role[]
export type ConsumerRole = typeof CONSUMER_ROLES[number]

export function isConsumerRole (value: unknown): value is ConsumerRole {
  return typeof value === 'string' && (CONSUMER_ROLES as readonly string[]).includes(value)
}

export function isRole (value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value)
}

/** Reasons a role set is not allowed (empty when it is). Pure. */
export function roleCombinationProblems (roles: readonly string[]): string[] {
  const problems: string[] = []
  if (roles.length === 0) problems.push('a node needs at least one role')
  const seen = new Set<string>()
  for (const role of roles) {
    if (!isRole(role)) problems.push(`unknown role "${role}" (known: ${ROLES.join(', ')})`)
    if (seen.has(role)) problems.push(`role "${role}" is listed twice`)
    seen.add(role)
  }
  for (const role of SOLITARY) {
    if (seen.has(role) && seen.size > 1) problems.push(`role "${role}" cannot be combined with other roles`)
  }
  return problems
}
