/**
 * What the HTTP edge takes of the workbench (src/edges/http/edge.ts, csrf.ts): its staff, from
 * the workbench's session cookie, with the permission the route's policy names; the CSRF token
 * of a request's staff session; and who is signed in, for the header of an error page.
 */
import { LifelongError } from '../../core/errors.ts'
import type { WorkbenchModule } from '../../services/workbench/module.ts'
import type { Authenticators } from '../http/edge.ts'
import type { CsrfTokenSource } from '../http/csrf.ts'
import type { SignedInLookup } from '../http/error-page.ts'

/**
 * The edge's staff authenticator: a live session of a member still on the staff list, whose
 * roles grant the route's permission (`WORKBENCH_ROLE_MISSING` otherwise: least privilege).
 */
export function workbenchAuthenticators (wb: WorkbenchModule): Authenticators {
  return {
    staff: [async (request, policy) => {
      if (policy.caller !== 'staff') return undefined
      const member = await wb.signIn.staffOf(request)
      if (member === undefined) return undefined
      if (!member.permissions.includes(policy.may)) {
        throw new LifelongError('forbidden', 'WORKBENCH_ROLE_MISSING', `your roles (${member.roles.join(', ')}) do not allow this (${policy.may})`)
      }
      return { kind: 'staff', id: member.id, name: member.name, roles: member.roles, permissions: member.permissions }
    }]
  }
}

/** The CSRF token of a request's staff session (src/edges/http/csrf.ts). */
export function workbenchCsrfTokens (wb: WorkbenchModule): CsrfTokenSource {
  return async (request) => (await wb.signIn.sessionOf(request))?.csrf
}

/** Who is signed in to the workbench on any request (for an error page's header). */
export function workbenchSignedIn (wb: WorkbenchModule): SignedInLookup {
  return async (request) => {
    const member = await wb.signIn.staffOf(request)
    if (member === undefined) return undefined
    const csrf = (await wb.signIn.sessionOf(request))?.csrf
    return { name: member.name, ...(csrf === undefined ? {} : { csrf }) }
  }
}
