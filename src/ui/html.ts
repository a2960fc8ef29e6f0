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

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }
