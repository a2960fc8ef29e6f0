/**
 * The languages of the pages: Norwegian Bokmål, Norwegian Nynorsk and English (the two written
 * standards of Norwegian are equal in law, Språklova § 1, and public bodies answer in the one the
 * reader uses, § 10). A page has one language: what the reader chose (`?lang=`, kept in the `lang`
 * cookie), else what their browser asks for (Accept-Language, RFC 9110 §12.5.4), else Bokmål.
 */
import type { FastifyRequest } from 'fastify'

export type Lang = 'nb' | 'nn' | 'en'

export const LANGS: readonly Lang[] = ['nb', 'nn', 'en']

/** The cookie that keeps the reader's choice (set by the HTTP edge when a page is opened with `?lang=`). */
export const LANG_COOKIE = 'lang'

export function isLang (value: unknown): value is Lang {
  return value === 'nb' || value === 'nn' || value === 'en'
}

/** The page language of a language tag, if it is one of ours (`no` and `nb-NO` are Bokmål). */
export function langOfTag (tag: string): Lang | undefined {
  const primary = tag.trim().toLowerCase().split('-')[0]
  if (primary === 'nb' || primary === 'no') return 'nb'
  if (primary === 'nn') return 'nn'
  if (primary === 'en') return 'en'
  return undefined
}

/** The first of our languages in an Accept-Language header, by quality (ties keep their order). */
export function langOfAcceptLanguage (header: string | undefined): Lang | undefined {
  if (header === undefined || header === '') return undefined
  const ranges = header.split(',').slice(0, 32).map((part, i) => {
    const [tag = '', ...params] = part.split(';')
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
    return { lang: langOfTag(tag), q: q === undefined ? 1 : Number(q), i }
  })
  const best = ranges.filter((r) => r.lang !== undefined && r.q > 0).sort((a, b) => b.q - a.q || a.i - b.i)[0]
  return best?.lang
}

/**
 * The language of a page request: `?lang=`, then the `lang` cookie, then `fallback` (a share's
 * language, chosen by the learner for its recipient), then Accept-Language, then Bokmål.
 */
export function langOf (request: FastifyRequest, fallback?: Lang): Lang {
  const query = (request.query as { lang?: unknown } | undefined)?.lang
  if (isLang(query)) return query
  const cookie = request.cookies?.[LANG_COOKIE]
  if (isLang(cookie)) return cookie
  if (fallback !== undefined) return fallback
  return langOfAcceptLanguage(request.headers['accept-language']) ?? 'nb'
}

/** Localised text: one value per page language. */
export type ByLang<T> = Readonly<Record<Lang, T>>

/** Text that may lack some languages (a record's title, as its source wrote it). */
export interface PartlyLocalised {
  readonly nb?: string
  readonly nn?: string
  readonly en?: string
}

/** The order in which to fall back to another language when a text lacks the page's. */
const FALLBACK: ByLang<readonly Lang[]> = { nb: ['nb', 'nn', 'en'], nn: ['nn', 'nb', 'en'], en: ['en', 'nb', 'nn'] }

/** The text in the page's language, or the nearest one there is, with the language it is in. */
export function pickText (text: PartlyLocalised | Readonly<Record<string, string>> | undefined, lang: Lang): { text: string, lang: Lang } {
  for (const l of FALLBACK[lang]) {
    const value = (text as Record<string, string | undefined> | undefined)?.[l]
    if (value !== undefined && value !== '') return { text: value, lang: l }
  }
  return { text: '', lang }
}
