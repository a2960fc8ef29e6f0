/**
 * Synthetic people for the local federation, tests and benchmarks: national IDs with valid
 * check digits in the test-number ranges (Skatteetaten/Tenor: month + 80), names and dates.
 * Nothing here is a real person. Pure and deterministic for a given seed.
 */
import { LifelongError } from '../core/errors.ts'

const W1 = [3, 7, 6, 1, 8, 9, 4, 5, 2] as const
const W2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2] as const

/** K1 and K2 for the first nine digits under the legacy rule, or undefined when either would be 10. */
export function checkDigits (nine: string): string | undefined {
  let s1 = 0
  for (let i = 0; i < 9; i++) s1 += (W1[i] as number) * (nine.charCodeAt(i) - 48)
  const k1 = (11 - (s1 % 11)) % 11
  if (k1 === 10) return undefined
  const ten = nine + String(k1)
  let s2 = 0
  for (let i = 0; i < 10; i++) s2 += (W2[i] as number) * (ten.charCodeAt(i) - 48)
  const k2 = (11 - (s2 % 11)) % 11
  if (k2 === 10) return undefined
  return `${k1}${k2}`
}

export interface SyntheticIdOptions {
  /** Add 40 to the day (a D-number). */
  dNumber?: boolean
  /** Added to the month: 80 for Skatteetaten/Tenor test numbers (default), 0 for the real ranges (tests of production refusal only). */
  monthOffset?: 0 | 40 | 65 | 80
}

/**
 * A national ID for `birthDate` (YYYY-MM-DD) and a three-digit individual number, or undefined
 * when that individual number gives no valid check digits (about one in five).
 */
export function syntheticNationalId (birthDate: string, individual: number, options: SyntheticIdOptions = {}): string | undefined {
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number]
  const dd = d + (options.dNumber === true ? 40 : 0)
  const mm = m + (options.monthOffset ?? 80)
  const nine = `${String(dd).padStart(2, '0')}${String(mm).padStart(2, '0')}${String(y % 100).padStart(2, '0')}${String(individual).padStart(3, '0')}`
  const k = checkDigits(nine)
  return k === undefined ? undefined : nine + k
}

/** A small deterministic PRNG (mulberry32) so sample data is the same at every run. */
export function prng (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Given names by the gender the number records (its ninth digit), so that a person's name, gender and number agree. */
const GIVEN = {
  male: ['Ola', 'Jakob', 'Filip', 'Aksel', 'Henrik', 'Magnus', 'Sander', 'Jonas', 'Emil', 'Lukas'],
  female: ['Kari', 'Nora', 'Emma', 'Ingrid', 'Sofie', 'Sara', 'Ida', 'Thea', 'Maja', 'Selma']
} as const
const FAMILY = [
  'Nordmann',
  'Hansen',
  'Johansen',
  'Olsen',
  'Larsen',
  'Andersen',
  'Pedersen',
  'Nilsen',
  'Kristiansen',
  'Jensen',
  'Karlsen',
  'Johnsen',
  'Pettersen',
  'Eriksen',
  'Berg',
  'Haugen',
  'Hagen',
  'Johannessen',
  'Andreassen',
  'Jacobsen',
  'Dahl',
  'Jørgensen',
  'Halvorsen',
  'Henriksen',
  'Lund',
  'Sørensen',
  'Jakobsen',
  'Moen',
  'Gundersen',
  'Iversen',
  'Strand',
  'Solberg',
  'Svendsen',
  'Eide',
  'Knutsen',
  'Martinsen',
  'Paulsen',
  'Bakken',
  'Kristoffersen',
  'Mathisen',
  'Lie',
  'Amundsen',
  'Nguyen',
  'Rasmussen',
  'Ali',
  'Lunde',
  'Solheim',
  'Berge',
  'Moe',
  'Nygård',
  'Bakke',
  'Kristensen',
  'Fredriksen',
  'Holm',
  'Lien',
  'Hauge',
  'Christensen',
  'Andresen',
  'Nielsen',
  'Knudsen',
  'Evensen',
  'Sæther',
  'Aas',
  'Myhre',
  'Hanssen',
  'Ahmed',
  'Haugland',
  'Thomassen',
  'Sivertsen',
  'Simonsen',
  'Danielsen',
  'Berntsen',
  'Sandvik',
  'Rønning',
  'Arnesen',
  'Antonsen',
  'Næss',
  'Vik',
  'Haug',
  'Ellingsen',
  'Thorsen',
  'Edvardsen',
  'Birkeland',
  'Isaksen',
  'Gulbrandsen',
  'Ruud',
  'Aasen',
  'Strøm',
  'Myklebust',
  'Tangen',
  'Ødegård',
  'Eliassen',
  'Helland',
  'Bøe',
  'Jenssen',
  'Aune',
  'Mikkelsen',
  'Tveit',
  'Brekke',
  'Abrahamsen'
]

export interface SyntheticPerson {
  nationalId: string
  birthDate: string
  given: string
  family: string
  gender: 'female' | 'male'
}

const DAYS = 30_000
const FIRST_DAY = Date.UTC(1940, 0, 1)

/** Per birth date: the date, and the individual numbers that give valid check digits (with the check digits). */
interface DayTable {
  birthDate: string
  /** The nine digits up to the individual number, without it: DDMMYY. */
  prefix: string
  individuals: Int16Array
  checks: Int8Array
}

function dayTable (day: number): DayTable {
  const date = new Date(FIRST_DAY + day * 86_400_000)
  const birthDate = date.toISOString().slice(0, 10)
  const dd = date.getUTCDate()
  const mm = date.getUTCMonth() + 1 + 80
  const yy = date.getUTCFullYear() % 100
  const prefix = `${String(dd).padStart(2, '0')}${String(mm)}${String(yy).padStart(2, '0')}`
  const digits = [...prefix].map(Number)
  // Individual numbers giving 1940–1999 (000–499) or 2000–2039 (500–999) in the ordinary table.
  const lo = date.getUTCFullYear() < 2000 ? 0 : 500
  const individuals: number[] = []
  const checks: number[] = []
  let base1 = 0
  let base2 = 0
  for (let i = 0; i < 6; i++) {
    base1 += (W1[i] as number) * (digits[i] as number)
    base2 += (W2[i] as number) * (digits[i] as number)
  }
  for (let ind = lo; ind < lo + 500 && individuals.length < 333; ind++) {
    const a = Math.floor(ind / 100)
    const b = Math.floor(ind / 10) % 10
    const c = ind % 10
    const k1 = (11 - ((base1 + 4 * a + 5 * b + 2 * c) % 11)) % 11
    if (k1 === 10) continue
    const k2 = (11 - ((base2 + 5 * a + 4 * b + 3 * c + 2 * k1) % 11)) % 11
    if (k2 === 10) continue
    individuals.push(ind)
    checks.push(k1 * 10 + k2)
  }
  return { birthDate, prefix, individuals: Int16Array.from(individuals), checks: Int8Array.from(checks) }
}

/**
 * The `n`-th synthetic person of a deterministic sequence: a Tenor-range fødselsnummer (month + 80),
 * unique for every n below ten million (30 000 birth dates from 1940 × the first 333 individual
 * numbers of each date that give valid check digits). `tables` caches the per-date work; pass one
 * map for a long run.
 */
export function syntheticPerson (n: number, tables: Map<number, DayTable> = new Map()): SyntheticPerson {
  const day = n % DAYS
  const slot = Math.floor(n / DAYS)
  let table = tables.get(day)
  if (table === undefined) {
    table = dayTable(day)
    tables.set(day, table)
  }
  const individual = table.individuals[slot]
  if (individual === undefined) throw new LifelongError('invalid', 'DEMO_SYNTHETIC_EXHAUSTED', `no synthetic person ${n}: the sequence holds ${DAYS * 333}`)
  const check = table.checks[slot] as number
  // The individual number's last digit (the number's ninth) is odd for men, even for women.
  const gender = individual % 2 === 1 ? 'male' : 'female'
  return {
    nationalId: `${table.prefix}${String(individual).padStart(3, '0')}${String(check).padStart(2, '0')}`,
    birthDate: table.birthDate,
    given: GIVEN[gender][n % GIVEN[gender].length] as string,
    family: FAMILY[Math.floor(n / 20) % FAMILY.length] as string,
    gender
  }
}
