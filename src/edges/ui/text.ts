/**
 * Text of a record in a page: in the page's language when the record has it, else in the
 * nearest one, marked with its `lang` so that a screen reader pronounces it right (WCAG 3.1.2).
 */
import { escapeHtml } from './html.ts'
import { pickText, type Lang, type PartlyLocalised } from './lang.ts'

/** Escaped HTML of the text in `lang`, or of the nearest language in a `<span lang>`. */
export function localText (text: PartlyLocalised | Readonly<Record<string, string>> | undefined, lang: Lang): string {
  const picked = pickText(text, lang)
  return picked.lang === lang ? escapeHtml(picked.text) : `<span lang="${picked.lang}">${escapeHtml(picked.text)}</span>`
}

/** The text in `lang` or the nearest language, unmarked (for an attribute, a PDF line). */
export function plainText (text: PartlyLocalised | Readonly<Record<string, string>> | undefined, lang: Lang): string {
  return pickText(text, lang).text
}
