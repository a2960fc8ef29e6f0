/**
 * The one HTML escaper of the project: every page (the portal, the bridges, the error page)
 * builds its markup from escaped text with it. It escapes the five characters that matter in
 * content and in quoted attribute values (HTML Living Standard §13.1.2.3–4), so that a value
 * can end neither an element nor an attribute. Values go only in content or double- or
 * single-quoted attributes, never unquoted ones, in a `<script>` or `<style>`, or in a URL
 * without their own encoding first.
 */

/** Escapes text for HTML content and quoted attribute values; `undefined` and `null` become ''. */
export function escapeHtml (value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string)
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }

/** The form field that carries the session's CSRF token (checked at the edge, src/edges/http/csrf.ts). */
export const CSRF_FIELD = '_csrf'

/**
 * The hidden field every form that posts back to the node carries: the CSRF token of the
 * request's session (`request.csrfToken`); nothing without a session.
 */
export function csrfField (token: string | undefined): string {
  return token === undefined ? '' : `<input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(token)}">`
}
