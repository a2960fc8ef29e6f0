/**
 * Foreign languages as upper-secondary programme subjects (programfag), by Udir subject code, for
 * language points (språkpoeng). Pure data.
 *
 * Codes: Udir's subject code register Grep (https://data.udir.no), the LK20 programme subjects
 * "<language> nivå I/II/III" of studiespesialisering (Vg2 and Vg3), as listed in a public extract
 * of Grep fetched 1 October 2026; each language has three consecutive pairs of codes: nivå I,
 * II and III, the even code the written subject (140 hours), the odd one its oral assessment
 * (PSP5826 Spansk nivå I, PSP5827 its oral; PSP5828 nivå II; PSP5830 nivå III, …). docs/CONSUMERS.md
 * ("Language points") says which give points and why. The common-subject foreign language
 * (fellesfag, codes FSPxxxx) gives none, and is not listed.
 */

/** A foreign-language programme subject: its language and level. */
export interface LanguageSubject {
  /** The language (Norwegian name, lower case). */
  readonly language: string
  readonly level: 'I' | 'II' | 'III'
  /** The written subject (140 hours) or its oral assessment (no hours of its own). */
  readonly component: 'written' | 'oral'
}

/** The first code (nivå I, written) of each language; nivå II and III follow, two codes apart. */
const FIRST_CODES: ReadonlyArray<readonly [string, number]> = [
  ['finsk', 5790],
  ['fransk', 5796],
  ['lulesamisk', 5802],
  ['nordsamisk', 5808],
  ['sørsamisk', 5814],
  ['russisk', 5820],
  ['spansk', 5826],
  ['tegnspråk', 5832],
  ['tysk', 5838],
  ['italiensk', 5844],
  ['japansk', 5850],
  ['arabisk', 5856],
  ['kinesisk', 5862],
  ['portugisisk', 5868],
  ['albansk', 5874],
  ['bosnisk', 5880],
  ['dari', 5886],
  ['koreansk', 5892],
  ['kurdisk (sorani)', 5898],
  ['persisk', 5904],
  ['polsk', 5910],
  ['somali', 5916],
  ['tamil', 5922],
  ['tyrkisk', 5928],
  ['urdu', 5934],
  ['vietnamesisk', 5940],
  ['amharisk', 5946],
  ['estisk', 5952],
  ['filipino', 5958],
  ['hebraisk', 5964],
  ['kantonesisk', 5970],
  ['latvisk', 5976],
  ['nederlandsk', 5982],
  ['oromo', 5988],
  ['panjabi', 5994],
  ['pashto', 6000],
  ['tigrinja', 6006],
  ['islandsk', 6012],
  ['hindi', 6018],
  ['litauisk', 6032],
  ['thai', 6038],
  ['serbisk', 6044],
  ['nygresk', 6050],
  ['ungarsk', 6056],
  ['ukrainsk', 6062],
  ['bulgarsk', 6068],
  ['kroatisk', 6074],
  ['kurdisk (kurmanji)', 6080],
  ['rumensk', 6086],
  ['kvensk', 6092]
]

const LEVELS = ['I', 'II', 'III'] as const

/** Udir subject code → foreign-language programme subject. */
export const LANGUAGE_CODES: Readonly<Record<string, LanguageSubject>> = Object.freeze(Object.fromEntries(
  FIRST_CODES.flatMap(([language, first]) =>
    LEVELS.flatMap((level, i) => [
      [`PSP${first + 2 * i}`, { language, level, component: 'written' as const }],
      [`PSP${first + 2 * i + 1}`, { language, level, component: 'oral' as const }]
    ])
  )
))

/** The foreign-language programme subject a code stands for, if it is one. */
export function languageOfCode (code: string): LanguageSubject | undefined {
  return Object.hasOwn(LANGUAGE_CODES, code) ? LANGUAGE_CODES[code] : undefined
}
