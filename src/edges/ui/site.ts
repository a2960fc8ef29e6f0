/**
 * Which site a page belongs to: its name, its front page, the navigation a signed-in person
 * sees, and where to sign in and out. Every page of a node is drawn in its site's shell
 * (shell.ts); the Diploma portal's pages and the bridges' pages on the portal share
 * {@link PORTAL_SITE}, the simulated foreign EMREX node has its own.
 */
import type { ByLang } from './lang.ts'

export interface SiteLink {
  href: string
  label: ByLang<string>
}

export interface Site {
  name: ByLang<string>
  /** Where the name in the header links (none: a node without a front page). */
  home?: string
  /** The main navigation of a signed-in person. */
  nav: readonly SiteLink[]
  /** The sign-in page, linked for a visitor who is not signed in (none: no link). */
  signIn?: string
  /** The sign-out forms' actions (POST). */
  signOut?: { one: string, everywhere?: string }
  /** A development stand-in: every page says so. */
  development?: boolean
}

/** The Diploma portal. */
export const PORTAL_SITE: Site = {
  name: { nb: 'Vitnemålsportalen', nn: 'Vitnemålsportalen', en: 'Diploma portal' },
  home: '/portal',
  nav: [
    { href: '/portal/results', label: { nb: 'Mine resultater', nn: 'Mine resultat', en: 'My results' } },
    { href: '/portal/shares', label: { nb: 'Mine delinger', nn: 'Mine delingar', en: 'My shares' } },
    { href: '/portal/access', label: { nb: 'Hvem har sett mine data', nn: 'Kven har sett dataa mine', en: 'Who saw my data' } }
  ],
  signIn: '/portal/login',
  signOut: { one: '/portal/logout', everywhere: '/portal/logout/everywhere' }
}

/** A node that serves no pages of its own (its error pages): its name only. */
export const NODE_SITE: Site = {
  name: { nb: 'lifelong-node', nn: 'lifelong-node', en: 'lifelong node' },
  nav: []
}
