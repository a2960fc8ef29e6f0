/**
 * Dates, times and numbers as a reader of the page's language writes them (Intl, CLDR), in
 * Norway's time zone: "7. desember 2026 kl. 04.05", "7,5"; in English "7 December 2026, 04:05",
 * "7.5". Norwegian times use a full stop between hours and minutes, as Språkrådet recommends
 * (CLDR has a colon).
 */
import type { Lang } from './lang.ts'

const TIME_ZONE = 'Europe/Oslo'
const LOCALES = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' } as const

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>()
function dateFormat (lang: Lang, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}/${kind}`
  let f = cache.get(key) as Intl.DateTimeFormat | undefined
  if (f === undefined) {
    f = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: TIME_ZONE, ...options })
    cache.set(key, f)
  }
  return f
}

/** A calendar day `YYYY-MM-DD` as a moment: noon UTC, the same day in Norway all year. */
function dayMoment (day: string): number {
  return Date.parse(`${day}T12:00:00Z`)
}

/** "7. desember 2026" / "7 December 2026"; a day `YYYY-MM-DD` or a moment (Unix ms). Unreadable input is returned as it is. */
export function formatDate (value: string | number, lang: Lang): string {
  const ms = typeof value === 'number' ? value : /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayMoment(value) : Date.parse(value)
  if (!Number.isFinite(ms)) return String(value)
  return dateFormat(lang, 'date', { day: 'numeric', month: 'long', year: 'numeric' }).format(ms)
}

/** "7. desember" / "7 December": a date of this year, in running text. */
export function formatDayMonth (ms: number, lang: Lang): string {
  return dateFormat(lang, 'day-month', { day: 'numeric', month: 'long' }).format(ms)
}

/** "04.05" (Norwegian) / "04:05" (English). */
export function formatTime (ms: number, lang: Lang): string {
  const parts = dateFormat(lang, 'time', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms)
  const hour = parts.find((p) => p.type === 'hour')?.value ?? ''
  const minute = parts.find((p) => p.type === 'minute')?.value ?? ''
  return lang === 'en' ? `${hour}:${minute}` : `${hour}.${minute}`
}

/** "7. desember 2026 kl. 04.05" / "7 December 2026, 04:05". */
export function formatDateTime (ms: number, lang: Lang): string {
  return lang === 'en' ? `${formatDate(ms, lang)}, ${formatTime(ms, lang)}` : `${formatDate(ms, lang)} kl. ${formatTime(ms, lang)}`
}

/** "7,5" / "7.5"; whole numbers without decimals. */
export function formatNumber (value: number, lang: Lang): string {
  const key = `${lang}/number`
  let f = cache.get(key) as Intl.NumberFormat | undefined
  if (f === undefined) {
    f = new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 2 })
    cache.set(key, f)
  }
  return f.format(value)
}
