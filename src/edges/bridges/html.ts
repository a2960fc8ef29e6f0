/**
 * The bridges' pages on the portal (the wallet offer, the OOTS preview, EMREX) are drawn in the
 * portal's shell (src/edges/ui/shell.ts) like the portal's own: header, navigation, sign-out,
 * language switch, in the reader's language. This puts a page of theirs in it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { escapeHtml } from '../ui/html.ts'
import { langOf } from '../ui/lang.ts'
import { sendShellPage } from '../ui/shell.ts'
import type { Site } from '../ui/site.ts'
import type { SignedInLearner } from '../../services/bridges/ports.ts'

/** The project's one HTML escaper (src/edges/ui/html.ts), under the short name these pages use. */
export const esc = escapeHtml

export interface BridgePage {
  title: string
  body: string
  status?: number
  /** This page as a GET path, for the language switch (default: the request's URL for a GET, else the results page). */
  here?: string
  /** The navigation entry it belongs to. */
  current?: string
  /** A site other than the portal's (the simulated foreign EMREX node). */
  site?: Site
  /** Sources besides this origin that the page's forms may lead to (CSP `form-action`): a wallet's redirect URI. */
  formAction?: readonly string[]
  /** ES modules from this origin that the page loads (src/edges/ui/browser/). */
  scripts?: readonly string[]
  /** Its modules ask this origin for something (CSP `connect-src 'self'`). */
  fetches?: boolean
}

/** The signed-in learner as the shell shows them (their name, their session's CSRF token). */
export function shellLearner (request: FastifyRequest, learner: SignedInLearner | undefined): { name: string, csrf?: string } | undefined {
  if (learner === undefined) return undefined
  return { name: `${learner.givenNames ?? ''} ${learner.familyName ?? ''}`.trim(), ...(request.csrfToken === undefined ? {} : { csrf: request.csrfToken }) }
}

/** Sends a bridge page in the shell, in the request's language. */
export async function sendBridgePage (request: FastifyRequest, reply: FastifyReply, learner: SignedInLearner | undefined, page: BridgePage): Promise<FastifyReply> {
  const signedIn = shellLearner(request, learner)
  return await sendShellPage(reply, {
    lang: langOf(request),
    title: page.title,
    here: page.here ?? (request.method === 'GET' ? request.url : '/portal/results'),
    body: page.body,
    ...(signedIn === undefined ? {} : { signedIn }),
    ...(page.current === undefined ? {} : { current: page.current }),
    ...(page.site === undefined ? {} : { site: page.site }),
    ...(page.formAction === undefined ? {} : { formAction: page.formAction }),
    ...(page.scripts === undefined ? {} : { scripts: page.scripts }),
    ...(page.fetches === undefined ? {} : { fetches: page.fetches })
  }, page.status ?? 200)
}
