/**
 * What the registry's pages take of the page shell (src/edges/ui/shell.ts): the page
 * languages, the language of a request, and drawing and sending a page in the registry's site.
 */
import type { FastifyReply } from 'fastify'
import { escapeHtml } from '../../../ui/html.ts'
import { sendShellPage } from '../../../ui/shell.ts'
import type { Site } from '../../../ui/site.ts'
import type { ByLang, Lang } from '../../../ui/lang.ts'

export { langOf, LANGS, type ByLang, type Lang } from '../../../ui/lang.ts'

export const esc = escapeHtml

/** The registry's site: its name and front page (the pages are public: no sign-in). */
export const REGISTRY_SITE: Site = {
  name: { nb: 'Nasjonalt utdanningsregister', nn: 'Nasjonalt utdanningsregister', en: 'National Education Registry' },
  home: '/registry',
  nav: []
}
export const REGISTRY_SITE_NAME: ByLang<string> = REGISTRY_SITE.name

/** A page of the registry's site. */
export interface RegistryPage {
  lang: Lang
  title: string
  /** This page as a GET path with its query (the language switch keeps every parameter). */
  here: string
  body: string
}

/** Sends a page in the shell, in the registry's site (no script: the pages need none). */
export async function sendRegistryPage (reply: FastifyReply, page: RegistryPage): Promise<FastifyReply> {
  return await sendShellPage(reply, { ...page, site: REGISTRY_SITE })
}
