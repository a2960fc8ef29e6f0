/**
 * The `workbench` config section: an institution node's workbench for its staff (docs/WORKBENCH.md).
 * Who may sign in is a list in the config: each staff member is matched by the subject their
 * sign-in service vouches for (a claim of its ID token), and holds one or more roles. The config
 * holds no password, and the subject is never logged (the audit names the member's `id`).
 */
import type { OidcClientConfig } from './oidc.ts'

/** What a staff member may do: each role grants the least it needs (src/services/workbench/staff.ts). */
export const STAFF_ROLES = ['viewer', 'catalogue-editor', 'results-importer'] as const
export type StaffRole = typeof STAFF_ROLES[number]

/** What a staff member may do on the workbench (a route's policy names one; roles grant them). */
export type StaffPermission = 'workbench.view' | 'catalogue.edit' | 'catalogue.import' | 'results.import'

/** One person who may sign in to the workbench. */
export interface StaffMemberConfig {
  /** A handle of the operator's choosing (letters, digits, `.`, `-`, `_`): what the audit records. */
  readonly id: string
  /** Shown in the page header when signed in. */
  readonly name: string
  /** The value of the sign-in's subject claim (`workbench.oidc.subjectClaim`) that is this person. */
  readonly subject: string
  readonly roles: readonly StaffRole[]
}

/** The staff's OpenID Connect sign-in service (the portal's shape, endpoints filled in, and the claim that names the person). */
export interface WorkbenchOidcConfig extends OidcClientConfig {
  /** The ID token's claim matched against `staff[].subject` (default `sub`; `pid` for ID-porten). */
  readonly subjectClaim: string
}

export interface WorkbenchConfig {
  /** The organisation's sign-in service (production). */
  readonly oidc?: WorkbenchOidcConfig
  /** The development identity provider on this node (test and demo federations: needs identifiers.allowSynthetic). */
  readonly devSignIn: boolean
  readonly staff: readonly StaffMemberConfig[]
  readonly session: { readonly idleMinutes: number, readonly absoluteHours: number }
}

/** The section's JSON Schema (part of src/core/config/schema.ts). */
export const workbenchConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['staff'],
  description: 'The institution workbench for the node\'s staff (institution role; docs/WORKBENCH.md)',
  properties: {
    oidc: {
      type: 'object',
      additionalProperties: false,
      required: ['issuer', 'audience'],
      description: 'The OpenID Connect service the staff sign in at (the organisation\'s identity provider or ID-porten); as portal.oidc, with subjectClaim',
      properties: {
        issuer: { type: 'string', format: 'uri', description: 'Issuer URL; tokens must carry it as iss' },
        audience: { type: 'string', minLength: 1, description: 'The workbench\'s client ID; tokens must carry it as aud' },
        jwksUri: { type: 'string', format: 'uri', description: 'Where the issuer publishes its signing keys (default <issuer>/jwks.json)' },
        authorizationEndpoint: { type: 'string', format: 'uri', description: 'Where staff are sent to sign in (default <issuer>/authorize)' },
        tokenEndpoint: { type: 'string', format: 'uri', description: 'Where the node exchanges the code for the ID token (default <issuer>/token)' },
        clientAuth: { type: 'string', enum: ['none', 'client_secret_basic', 'client_secret_post'], description: 'How the node authenticates at the token endpoint' },
        clientSecretFile: { type: 'string', minLength: 1, description: 'File holding the client secret (relative to the config file); never the secret itself' },
        subjectClaim: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$', default: 'sub', description: 'The ID token claim that names the person (sub; pid for ID-porten)' }
      }
    },
    devSignIn: { type: 'boolean', default: false, description: 'Run the clearly marked development identity provider for the staff on this node (test and demo federations only: needs identifiers.allowSynthetic)' },
    staff: {
      type: 'array',
      maxItems: 1000,
      description: 'Who may sign in, and with which roles: { id, name, subject, roles (viewer, catalogue-editor, results-importer) }',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'subject', 'roles'],
        properties: {
          id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          subject: { type: 'string', minLength: 1, maxLength: 256 },
          roles: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...STAFF_ROLES] } }
        }
      }
    },
    session: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Staff sessions, kept server-side in the node\'s store',
      properties: {
        idleMinutes: { type: 'integer', minimum: 1, maximum: 1440, default: 30, description: 'A session ends this long after its last use' },
        absoluteHours: { type: 'integer', minimum: 1, maximum: 24, default: 10, description: 'A session ends this long after sign-in, however busy' }
      }
    }
  }
} as const

/** What is wrong with a `workbench` section as a whole (each a field error), beyond its schema. */
export function workbenchProblems (raw: any, roles: unknown, allowSynthetic: boolean): Array<{ path: string, message: string }> {
  const out: Array<{ path: string, message: string }> = []
  if (raw === undefined || raw === null || typeof raw !== 'object') return out
  if (Array.isArray(roles) && !roles.includes('institution')) out.push({ path: '/workbench', message: 'the workbench needs the institution role' })
  if (raw.devSignIn === true && !allowSynthetic) out.push({ path: '/workbench/devSignIn', message: 'the development identity provider signs in anyone who clicks: only with identifiers.allowSynthetic (test and demo federations)' })
  if (raw.oidc === undefined && raw.devSignIn !== true) out.push({ path: '/workbench/oidc', message: 'staff need a way to sign in: set oidc (or devSignIn in a test or demo federation)' })
  if (Array.isArray(raw.staff)) {
    const ids = raw.staff.map((s: { id?: unknown }) => s?.id)
    const subjects = raw.staff.map((s: { subject?: unknown }) => s?.subject)
    raw.staff.forEach((_s: unknown, i: number) => {
      if (ids.indexOf(ids[i]) !== i) out.push({ path: `/workbench/staff/${i}/id`, message: 'staff IDs must be unique' })
      if (subjects.indexOf(subjects[i]) !== i) out.push({ path: `/workbench/staff/${i}/subject`, message: 'each subject may be one staff member only' })
    })
  }
  const s = raw.session
  if (s !== undefined && typeof s.idleMinutes === 'number' && typeof s.absoluteHours === 'number' && s.idleMinutes > s.absoluteHours * 60) {
    out.push({ path: '/workbench/session/idleMinutes', message: 'the idle timeout must not be longer than the absolute timeout (absoluteHours)' })
  }
  return out
}
