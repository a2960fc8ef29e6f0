/**
 * One language per page, as the reader asks for it, and dates, times and numbers as a reader of
 * that language writes them, in Norway's time zone.
 */
import { describe, expect, it } from 'vitest'
import { langOfAcceptLanguage, pickText } from '../../../../src/edges/ui/lang.ts'
import { formatDate, formatDateTime, formatNumber, formatTime } from '../../../../src/edges/ui/format.ts'
import { withLang } from '../../../../src/edges/ui/shell.ts'

describe('the page language', () => {
  it('follows Accept-Language by quality: Bokmål for nb and no, Nynorsk, English; none of ours is Bokmål\'s caller\'s choice', () => {
    expect(langOfAcceptLanguage('nb-NO,nb;q=0.9,no;q=0.8,nn;q=0.7,en-US;q=0.6,en;q=0.5')).toBe('nb')
    expect(langOfAcceptLanguage('nn-NO,nn;q=0.9,nb;q=0.8')).toBe('nn')
    expect(langOfAcceptLanguage('en-GB,en;q=0.9')).toBe('en')
    expect(langOfAcceptLanguage('no')).toBe('nb')
    expect(langOfAcceptLanguage('de-DE,de;q=0.9,en;q=0.5,nn;q=0.4')).toBe('en')
    expect(langOfAcceptLanguage('sv;q=1,nn;q=0.2,en;q=0.1')).toBe('nn')
    expect(langOfAcceptLanguage('en;q=0,nn')).toBe('nn')
    expect(langOfAcceptLanguage('fr')).toBeUndefined()
    expect(langOfAcceptLanguage(undefined)).toBeUndefined()
  })

  it('picks a text in the page\'s language, else the nearest, saying which it is', () => {
    expect(pickText({ nb: 'Emne', en: 'Course' }, 'nn')).toEqual({ text: 'Emne', lang: 'nb' })
    expect(pickText({ nb: 'Emne', en: 'Course' }, 'en')).toEqual({ text: 'Course', lang: 'en' })
    expect(pickText({ en: 'Course' }, 'nb')).toEqual({ text: 'Course', lang: 'en' })
    expect(pickText({ nn: 'Emne', nb: '' }, 'nb')).toEqual({ text: 'Emne', lang: 'nn' })
  })

  it('switches the language of a page and keeps every other parameter (the sign-in page lost them)', () => {
    expect(withLang('/dev-oidc/authorize?client_id=lifelong-portal&redirect_uri=http%3A%2F%2Fx%2Fportal%2Fcallback&state=s&lang=nb', 'en'))
      .toBe('/dev-oidc/authorize?client_id=lifelong-portal&redirect_uri=http%3A%2F%2Fx%2Fportal%2Fcallback&state=s&lang=en')
    expect(withLang('/portal/results', 'nn')).toBe('/portal/results?lang=nn')
  })
})

describe('local formats', () => {
  const moment = Date.UTC(2026, 11, 7, 3, 5)
  it('writes dates and times as Norwegian and English readers do, in Europe/Oslo', () => {
    expect(formatDateTime(moment, 'nb')).toBe('7. desember 2026 kl. 04.05')
    expect(formatDateTime(moment, 'nn')).toBe('7. desember 2026 kl. 04.05')
    expect(formatDateTime(moment, 'en')).toBe('7 December 2026, 04:05')
    expect(formatDate('2021-12-10', 'nb')).toBe('10. desember 2021')
    expect(formatDate('2021-06-10', 'en')).toBe('10 June 2021')
    // Summer time: 22:30 UTC on 30 June is 00.30 on 1 July in Norway.
    expect(formatDateTime(Date.UTC(2025, 5, 30, 22, 30), 'nb')).toBe('1. juli 2025 kl. 00.30')
    expect(formatTime(Date.UTC(2025, 0, 1, 12, 0), 'en')).toBe('13:00')
    expect(formatDate('not a date', 'nb')).toBe('not a date')
  })

  it('writes a decimal comma in Norwegian and a point in English', () => {
    expect(formatNumber(7.5, 'nb')).toBe('7,5')
    expect(formatNumber(7.5, 'nn')).toBe('7,5')
    expect(formatNumber(7.5, 'en')).toBe('7.5')
    expect(formatNumber(180, 'nb')).toBe('180')
  })
})
