/**
 * A realistic, generated sample of the Norwegian catalogue for the local federation and the
 * benchmark: universities (UiO, NTNU, UiB) with hundreds of programmes and thousands of courses,
 * the colleges HiST, HiG and HiÅ that merged into NTNU on 1 January 2016 (their offerings keep
 * their IDs under NTNU), a private vocational college whose programme accreditation NOKUT
 * revoked, and OsloMet and Vestland fylkeskommune with only the offerings the sample results
 * need. Besides the generated offerings, each catalogue holds the offerings that the sample
 * results (results-sample.ts) refer to ({@link SAMPLE_RESULT_OFFERINGS}). Deterministic
 * (seeded), so a restart produces the same catalogue and re-imports are no-ops.
 *
 * Real: names, DBH codes and FS numbers of UiO, NTNU, UiB and OsloMet, the organisation numbers
 * of the universities and Vestland fylkeskommune, the merger and its date, the code lists (NKR,
 * NUS levels, ISCED-F). Invented: everything else — programme and course names are built from
 * field vocabularies, the colleges' and the private college's organisation numbers, codes and
 * decisions are demonstration values.
 */
import { prng } from './synthetic.ts'

export interface SampleInstitution {
  slug: string
  organisationNumber: string
  name: { nb: string, nn?: string, en: string }
  shortName: string
  category: 'university' | 'scientific-college' | 'accredited-college' | 'vocational-college' | 'county' | 'private-provider' | 'other'
  selfAccreditation: { upToLevel: string, doctoralFields: string[] }
  /** DBH institution code and FS institution number (higher education only). */
  dbhCode?: string
  fsNumber?: string
  validFrom: string
  validTo?: string
  /**
   * The format in which the institution's own node imports its catalogue. Without it, the
   * registry operator records the (historical) catalogue, as for the merged colleges.
   */
  imports?: 'csv' | 'json'
  /** Course code prefix style and size of the generated catalogue. */
  programmes: number
  courses: number
  prefix: string
  /** Earliest start year of its offerings. */
  since: number
}

export const SAMPLE_INSTITUTIONS: SampleInstitution[] = [
  {
    slug: 'uio',
    organisationNumber: '971035854',
    name: { nb: 'Universitetet i Oslo', en: 'University of Oslo' },
    shortName: 'UiO',
    category: 'university',
    selfAccreditation: { upToLevel: '8', doctoralFields: [] },
    dbhCode: '1110',
    fsNumber: '185',
    validFrom: '1811-09-02',
    imports: 'csv',
    programmes: 130,
    courses: 1300,
    prefix: '',
    since: 2008
  },
  {
    slug: 'ntnu',
    organisationNumber: '974767880',
    name: { nb: 'Norges teknisk-naturvitenskapelige universitet', en: 'Norwegian University of Science and Technology' },
    shortName: 'NTNU',
    category: 'university',
    selfAccreditation: { upToLevel: '8', doctoralFields: [] },
    dbhCode: '1150',
    fsNumber: '194',
    validFrom: '1996-01-01',
    imports: 'csv',
    programmes: 140,
    courses: 1400,
    prefix: 'T',
    since: 2008
  },
  {
    slug: 'uib',
    organisationNumber: '874789542',
    name: { nb: 'Universitetet i Bergen', en: 'University of Bergen' },
    shortName: 'UiB',
    category: 'university',
    selfAccreditation: { upToLevel: '8', doctoralFields: [] },
    dbhCode: '1120',
    fsNumber: '184',
    validFrom: '1946-09-05',
    imports: 'json',
    programmes: 110,
    courses: 1100,
    prefix: 'B',
    since: 2008
  },
  {
    slug: 'hist',
    organisationNumber: '974741016',
    name: { nb: 'Høgskolen i Sør-Trøndelag', en: 'Sør-Trøndelag University College' },
    shortName: 'HiST',
    category: 'accredited-college',
    selfAccreditation: { upToLevel: '6', doctoralFields: [] },
    dbhCode: '0254',
    fsNumber: '204',
    validFrom: '1994-08-01',
    validTo: '2016-01-01',
    programmes: 45,
    courses: 330,
    prefix: 'S',
    since: 2006
  },
  {
    slug: 'hig',
    organisationNumber: '974830523',
    name: { nb: 'Høgskolen i Gjøvik', en: 'Gjøvik University College' },
    shortName: 'HiG',
    category: 'accredited-college',
    selfAccreditation: { upToLevel: '6', doctoralFields: [] },
    dbhCode: '0213',
    fsNumber: '206',
    validFrom: '1994-08-01',
    validTo: '2016-01-01',
    programmes: 28,
    courses: 210,
    prefix: 'G',
    since: 2006
  },
  {
    slug: 'hials',
    organisationNumber: '974763613',
    name: { nb: 'Høgskolen i Ålesund', en: 'Aalesund University College' },
    shortName: 'HiÅ',
    category: 'accredited-college',
    selfAccreditation: { upToLevel: '6', doctoralFields: [] },
    dbhCode: '0211',
    fsNumber: '207',
    validFrom: '1994-08-01',
    validTo: '2016-01-01',
    programmes: 22,
    courses: 160,
    prefix: 'A',
    since: 2006
  },
  {
    slug: 'nvf',
    organisationNumber: '991502254',
    name: { nb: 'Nordvest fagskole (demo)', en: 'Nordvest Vocational College (demo)' },
    shortName: 'NVF',
    category: 'vocational-college',
    selfAccreditation: { upToLevel: '', doctoralFields: [] },
    dbhCode: '8901',
    fsNumber: '901',
    validFrom: '2005-01-01',
    programmes: 6,
    courses: 0,
    prefix: 'F',
    since: 2011
  },
  {
    slug: 'oslomet',
    organisationNumber: '997058747',
    name: { nb: 'OsloMet – storbyuniversitetet', en: 'Oslo Metropolitan University' },
    shortName: 'OsloMet',
    category: 'university',
    selfAccreditation: { upToLevel: '8', doctoralFields: [] },
    dbhCode: '1175',
    fsNumber: '215',
    validFrom: '2011-08-01',
    imports: 'csv',
    programmes: 0,
    courses: 0,
    prefix: 'M',
    since: 2011
  },
  // Vestland county (2020): its upper-secondary schools' results, with the county as the issuer.
  {
    slug: 'vestland',
    organisationNumber: '821311632',
    name: { nb: 'Vestland fylkeskommune', en: 'Vestland County Council' },
    shortName: 'Vestland',
    category: 'county',
    selfAccreditation: { upToLevel: '', doctoralFields: [] },
    validFrom: '2020-01-01',
    imports: 'json',
    programmes: 0,
    courses: 0,
    prefix: 'V',
    since: 2020
  },
  {
    slug: 'hkdir',
    organisationNumber: '919479906',
    name: { nb: 'Direktoratet for høyere utdanning og kompetanse', en: 'Directorate for Higher Education and Skills' },
    shortName: 'HK-dir',
    category: 'other',
    selfAccreditation: { upToLevel: '', doctoralFields: [] },
    validFrom: '2021-01-01',
    imports: 'json',
    programmes: 0,
    courses: 0,
    prefix: 'K',
    since: 2021
  }
]

const named = (o: Pick<SampleOffering, 'kind' | 'localCode' | 'name' | 'credits' | 'nkrLevel' | 'nusCode' | 'iscedF' | 'validFrom'> & Partial<SampleOffering>): SampleOffering => ({
  localVersion: '1',
  languages: ['nb'],
  gradingScale: 'A-F',
  learningOutcomes: { nb: '', en: '' },
  terms: [],
  status: 'active',
  relations: [],
  ...o
})
const uioBachelor = ['IN1000', 'IN1150', 'MAT1100', 'IN2010']

/**
 * The offerings the sample results (results-sample.ts) refer to, by owner: part of each
 * institution's catalogue, after the generated offerings. HiST's course is NTNU's since the
 * merger, under the same ID.
 */
export const SAMPLE_RESULT_OFFERINGS: Readonly<Record<string, readonly SampleOffering[]>> = {
  uio: [
    named({
      kind: 'course',
      localCode: 'IN1000',
      name: { nb: 'Introduksjon til objektorientert programmering', en: 'Introduction to Object-oriented Programming' },
      credits: 10,
      nkrLevel: '6',
      nusCode: '655119',
      iscedF: '0613',
      validFrom: '2016-08-01'
    }),
    named({ kind: 'course', localCode: 'IN1150', name: { nb: 'Logiske metoder', en: 'Logical Methods' }, credits: 10, nkrLevel: '6', nusCode: '655119', iscedF: '0613', validFrom: '2016-08-01' }),
    named({ kind: 'course', localCode: 'MAT1100', name: { nb: 'Kalkulus', en: 'Calculus' }, credits: 10, nkrLevel: '6', nusCode: '654101', iscedF: '0541', validFrom: '2008-08-01' }),
    named({ kind: 'course', localCode: 'IN2010', name: { nb: 'Algoritmer og datastrukturer', en: 'Algorithms and Data Structures' }, credits: 10, nkrLevel: '6', nusCode: '655119', iscedF: '0613', validFrom: '2017-08-01' }),
    named({
      kind: 'study-programme',
      localCode: 'BAINF-PSA',
      name: { nb: 'Bachelor i informatikk: programmering og systemarkitektur', en: 'Bachelor of Science in Informatics: Programming and System Architecture' },
      credits: 180,
      nkrLevel: '6',
      nusCode: '655119',
      iscedF: '0613',
      validFrom: '2016-08-01',
      links: { admissionRequirement: 'MATRS' },
      learningOutcomes: { nb: 'Kandidaten har bred kunnskap om programmering, algoritmer og systemarkitektur.', en: 'The graduate has broad knowledge of programming, algorithms and system architecture.' },
      relations: uioBachelor.map((c) => ({ type: 'contains-mandatory', target: c }))
    }),
    named({ kind: 'course', localCode: 'INF5100', name: { nb: 'Avanserte databasesystemer', en: 'Advanced Database Systems' }, credits: 10, nkrLevel: '7', nusCode: '755119', iscedF: '0613', languages: ['en'], validFrom: '2008-08-01' })
  ],
  ntnu: [
    named({ kind: 'course', localCode: 'TDT4100', name: { nb: 'Objektorientert programmering', en: 'Object-Oriented Programming' }, credits: 7.5, nkrLevel: '6', nusCode: '655119', iscedF: '0613', validFrom: '2008-08-01' }),
    named({ kind: 'course', localCode: 'TDT4120', name: { nb: 'Algoritmer og datastrukturer', en: 'Algorithms and Data Structures' }, credits: 7.5, nkrLevel: '6', nusCode: '655119', iscedF: '0613', validFrom: '2008-08-01' }),
    named({
      kind: 'micro-credential',
      localCode: 'MLPRAKSIS',
      name: { nb: 'Maskinlæring i praksis', en: 'Applied Machine Learning' },
      credits: 5,
      nkrLevel: '7',
      nusCode: '',
      iscedF: '0613',
      languages: ['en'],
      gradingScale: 'pass-fail',
      validFrom: '2024-08-01',
      learningOutcomes: { nb: 'Kan trene, evaluere og ta i bruk modeller for veiledet læring på reelle data.', en: 'Can train, evaluate and deploy supervised learning models on real data.' }
    })
  ],
  hist: [
    named({ kind: 'course', localCode: 'TDAT1001', name: { nb: 'Ingeniørfaglig innføringsemne', en: 'Introduction to Engineering' }, credits: 7.5, nkrLevel: '6', nusCode: '655119', iscedF: '0613', validFrom: '2010-08-01' })
  ],
  uib: [
    named({ kind: 'course', localCode: 'INF100', name: { nb: 'Grunnkurs i programmering', en: 'Introduction to Programming' }, credits: 10, nkrLevel: '6', nusCode: '655119', iscedF: '0613', validFrom: '2008-08-01' })
  ],
  oslomet: [
    named({ kind: 'course', localCode: 'SYK1000', name: { nb: 'Sykepleiens grunnlag', en: 'Foundations of Nursing' }, credits: 15, nkrLevel: '6', nusCode: '665101', iscedF: '0913', validFrom: '2011-08-01' }),
    named({ kind: 'course', localCode: 'DATA1100', name: { nb: 'Webutvikling og inkluderende design', en: 'Web Development and Inclusive Design' }, credits: 10, nkrLevel: '6', nusCode: '655119', iscedF: '0613', validFrom: '2011-08-01' })
  ],
  vestland: [
    named({
      kind: 'upper-secondary-programme',
      localCode: 'STUSPE',
      name: { nb: 'Vitnemål, studiespesialisering', en: 'Upper secondary diploma, general studies' },
      credits: 0,
      nkrLevel: '4',
      nusCode: '459901',
      iscedF: '0031',
      gradingScale: '1-6',
      validFrom: '2006-08-01'
    }),
    named({
      kind: 'upper-secondary-programme',
      localCode: 'ELEKTRO',
      name: { nb: 'Fagbrev i elektrikerfaget', en: 'Trade certificate, electrician' },
      credits: 0,
      nkrLevel: '4',
      nusCode: '457118',
      iscedF: '0713',
      gradingScale: 'trade-certificate',
      validFrom: '2006-08-01'
    })
  ],
  // The issuing agency of the tests needed for permanent residence and citizenship.
  hkdir: [
    named({ kind: 'test', localCode: 'NORSKPROVE', name: { nb: 'Norskprøven', en: 'Norwegian language test' }, credits: 0, nkrLevel: '', nusCode: '', iscedF: '0231', gradingScale: 'CEFR', validFrom: '2014-01-01' }),
    named({ kind: 'test', localCode: 'SAMFUNN', name: { nb: 'Samfunnskunnskapsprøven', en: 'Social studies test' }, credits: 0, nkrLevel: '', nusCode: '', iscedF: '0312', gradingScale: 'pass-fail', validFrom: '2017-01-01' })
  ]
}

/** The merger of 1 January 2016 (Kongelig resolusjon 19 June 2015). */
export const SAMPLE_MERGER = { type: 'merger' as const, effectiveDate: '2016-01-01', predecessors: ['ntnu', 'hist', 'hig', 'hials'], successor: 'ntnu', reference: 'Kongelig resolusjon 2015-06-19' }

interface Field {
  isced: string
  nus: string
  nb: string
  en: string
  topicsNb: string[]
  topicsEn: string[]
  code: string
}

const FIELDS: Field[] = [
  {
    isced: '0613',
    nus: '5',
    nb: 'informatikk',
    en: 'informatics',
    code: 'INF',
    topicsNb: ['programmering', 'algoritmer', 'datastrukturer', 'databaser', 'operativsystemer', 'maskinlæring', 'datasikkerhet', 'programvareutvikling', 'nettverk', 'kunstig intelligens'],
    topicsEn: ['programming', 'algorithms', 'data structures', 'databases', 'operating systems', 'machine learning', 'computer security', 'software engineering', 'networks', 'artificial intelligence']
  },
  {
    isced: '0541',
    nus: '5',
    nb: 'matematikk',
    en: 'mathematics',
    code: 'MAT',
    topicsNb: ['kalkulus', 'lineær algebra', 'analyse', 'statistikk', 'sannsynlighetsteori', 'numerikk', 'topologi', 'tallteori'],
    topicsEn: ['calculus', 'linear algebra', 'analysis', 'statistics', 'probability', 'numerical methods', 'topology', 'number theory']
  },
  {
    isced: '0533',
    nus: '5',
    nb: 'fysikk',
    en: 'physics',
    code: 'FYS',
    topicsNb: ['mekanikk', 'elektromagnetisme', 'kvantefysikk', 'termodynamikk', 'astrofysikk', 'faststoffysikk'],
    topicsEn: ['mechanics', 'electromagnetism', 'quantum physics', 'thermodynamics', 'astrophysics', 'solid state physics']
  },
  {
    isced: '0511',
    nus: '5',
    nb: 'biologi',
    en: 'biology',
    code: 'BIO',
    topicsNb: ['cellebiologi', 'økologi', 'genetikk', 'evolusjon', 'marinbiologi', 'mikrobiologi'],
    topicsEn: ['cell biology', 'ecology', 'genetics', 'evolution', 'marine biology', 'microbiology']
  },
  {
    isced: '0715',
    nus: '5',
    nb: 'maskinteknikk',
    en: 'mechanical engineering',
    code: 'TMM',
    topicsNb: ['termodynamikk', 'konstruksjon', 'materialteknologi', 'produksjon', 'strømningsteknikk'],
    topicsEn: ['thermodynamics', 'design', 'materials technology', 'manufacturing', 'fluid dynamics']
  },
  {
    isced: '0713',
    nus: '5',
    nb: 'elektronikk',
    en: 'electronics',
    code: 'ELE',
    topicsNb: ['kretsteknikk', 'signalbehandling', 'reguleringsteknikk', 'kraftsystemer', 'mikrokontrollere'],
    topicsEn: ['circuit design', 'signal processing', 'control engineering', 'power systems', 'microcontrollers']
  },
  {
    isced: '0732',
    nus: '5',
    nb: 'bygg og anlegg',
    en: 'civil engineering',
    code: 'BYG',
    topicsNb: ['betongkonstruksjoner', 'geoteknikk', 'vegbygging', 'bærende konstruksjoner'],
    topicsEn: ['concrete structures', 'geotechnics', 'road engineering', 'structural engineering']
  },
  {
    isced: '0413',
    nus: '4',
    nb: 'økonomi og ledelse',
    en: 'economics and management',
    code: 'ØKL',
    topicsNb: ['regnskap', 'finans', 'markedsføring', 'organisasjon', 'strategi', 'bedriftsøkonomi'],
    topicsEn: ['accounting', 'finance', 'marketing', 'organisation', 'strategy', 'business economics']
  },
  {
    isced: '0311',
    nus: '3',
    nb: 'samfunnsøkonomi',
    en: 'economics',
    code: 'ECON',
    topicsNb: ['mikroøkonomi', 'makroøkonomi', 'økonometri', 'offentlig økonomi'],
    topicsEn: ['microeconomics', 'macroeconomics', 'econometrics', 'public economics']
  },
  {
    isced: '0421',
    nus: '3',
    nb: 'rettsvitenskap',
    en: 'law',
    code: 'JUS',
    topicsNb: ['forvaltningsrett', 'strafferett', 'kontraktsrett', 'folkerett', 'menneskerettigheter'],
    topicsEn: ['administrative law', 'criminal law', 'contract law', 'international law', 'human rights']
  },
  {
    isced: '0313',
    nus: '3',
    nb: 'statsvitenskap',
    en: 'political science',
    code: 'STV',
    topicsNb: ['komparativ politikk', 'internasjonal politikk', 'offentlig politikk', 'politisk teori'],
    topicsEn: ['comparative politics', 'international relations', 'public policy', 'political theory']
  },
  {
    isced: '0313',
    nus: '3',
    nb: 'psykologi',
    en: 'psychology',
    code: 'PSY',
    topicsNb: ['kognitiv psykologi', 'utviklingspsykologi', 'sosialpsykologi', 'klinisk psykologi'],
    topicsEn: ['cognitive psychology', 'developmental psychology', 'social psychology', 'clinical psychology']
  },
  {
    isced: '0222',
    nus: '1',
    nb: 'historie',
    en: 'history',
    code: 'HIS',
    topicsNb: ['norsk historie', 'europeisk historie', 'antikken', 'middelalderen', 'moderne historie'],
    topicsEn: ['Norwegian history', 'European history', 'antiquity', 'the Middle Ages', 'modern history']
  },
  {
    isced: '0231',
    nus: '1',
    nb: 'nordisk språk og litteratur',
    en: 'Nordic language and literature',
    code: 'NOR',
    topicsNb: ['norrønt', 'sosiolingvistikk', 'litteraturhistorie', 'grammatikk'],
    topicsEn: ['Old Norse', 'sociolinguistics', 'literary history', 'grammar']
  },
  {
    isced: '0913',
    nus: '6',
    nb: 'sykepleie',
    en: 'nursing',
    code: 'SYK',
    topicsNb: ['anatomi', 'fysiologi', 'farmakologi', 'klinisk praksis', 'sykepleievitenskap'],
    topicsEn: ['anatomy', 'physiology', 'pharmacology', 'clinical practice', 'nursing science']
  },
  {
    isced: '0912',
    nus: '6',
    nb: 'medisin',
    en: 'medicine',
    code: 'MED',
    topicsNb: ['anatomi', 'patologi', 'immunologi', 'allmennmedisin', 'samfunnsmedisin'],
    topicsEn: ['anatomy', 'pathology', 'immunology', 'general practice', 'community medicine']
  },
  {
    isced: '0114',
    nus: '2',
    nb: 'lærerutdanning',
    en: 'teacher education',
    code: 'LU',
    topicsNb: ['pedagogikk', 'fagdidaktikk', 'klasseledelse', 'praksis'],
    topicsEn: ['pedagogy', 'subject didactics', 'classroom management', 'teaching practice']
  },
  {
    isced: '0212',
    nus: '1',
    nb: 'design',
    en: 'design',
    code: 'DES',
    topicsNb: ['interaksjonsdesign', 'grafisk design', 'produktdesign', 'designteori'],
    topicsEn: ['interaction design', 'graphic design', 'product design', 'design theory']
  },
  {
    isced: '0716',
    nus: '5',
    nb: 'skipsteknikk',
    en: 'marine technology',
    code: 'SKI',
    topicsNb: ['skipsdesign', 'hydrodynamikk', 'marine operasjoner', 'offshoreteknikk'],
    topicsEn: ['ship design', 'hydrodynamics', 'marine operations', 'offshore engineering']
  },
  {
    isced: '0612',
    nus: '5',
    nb: 'informasjonssikkerhet',
    en: 'information security',
    code: 'IMT',
    topicsNb: ['kryptografi', 'digital etterforskning', 'risikostyring', 'nettverkssikkerhet'],
    topicsEn: ['cryptography', 'digital forensics', 'risk management', 'network security']
  }
]

const LEVEL_WORDS_NB = ['Innføring i', 'Grunnkurs i', 'Videregående', 'Avansert', 'Prosjekt i', 'Seminar i', 'Metoder i', 'Anvendt']
const LEVEL_WORDS_EN = ['Introduction to', 'Foundations of', 'Intermediate', 'Advanced', 'Project in', 'Seminar in', 'Methods in', 'Applied']

/** One offering in the import JSON form (what `lifelong import catalogue` reads). */
export interface SampleOffering {
  id?: string
  kind: string
  localCode: string
  localVersion: string
  name: { nb: string, en: string }
  credits: number
  nkrLevel: string
  nusCode: string
  iscedF: string
  languages: string[]
  gradingScale: string
  learningOutcomes: { nb: string, en: string }
  terms: string[]
  status: string
  relations: Array<{ type: string, target: string, validFrom?: string }>
  links?: { admissionCode?: string, financingReference?: string, admissionRequirement?: string }
  validFrom: string
  owner?: string
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1)

interface ProgrammeType {
  nb: string
  en: string
  nkr: string
  credits: number
  nus: string
  suffix: string
  weight: number
}
const PROGRAMME_TYPES: ProgrammeType[] = [
  { nb: 'Bachelorprogram i', en: 'Bachelor\'s programme in', nkr: '6', credits: 180, nus: '6', suffix: 'BA', weight: 45 },
  { nb: 'Masterprogram i', en: 'Master\'s programme in', nkr: '7', credits: 120, nus: '7', suffix: 'MA', weight: 35 },
  { nb: 'Ph.d.-program i', en: 'PhD programme in', nkr: '8', credits: 180, nus: '8', suffix: 'PHD', weight: 8 },
  { nb: 'Årsstudium i', en: 'One-year programme in', nkr: '6', credits: 60, nus: '6', suffix: 'AR', weight: 8 },
  { nb: 'Integrert master i', en: 'Integrated master\'s programme in', nkr: '7', credits: 300, nus: '7', suffix: 'IM', weight: 4 }
]

function programmeType (r: () => number, college: 'none' | '6' | '7'): ProgrammeType {
  const types = college === 'none' ? PROGRAMME_TYPES : PROGRAMME_TYPES.filter((t) => t.suffix === 'BA' || t.suffix === 'AR' || (t.suffix === 'MA' && college === '7'))
  const total = types.reduce((s, t) => s + t.weight, 0)
  let x = r() * total
  for (const t of types) {
    x -= t.weight
    if (x < 0) return t
  }
  return types[0] as ProgrammeType
}

/**
 * The catalogue of one institution: programmes that contain courses (mandatory and elective),
 * courses at NKR 6 and 7, some with a second version (a rename or a change of credits that
 * FS handles as a new version code).
 */
export function sampleCatalogue (inst: SampleInstitution, seed = 2016): SampleOffering[] {
  const r = prng(seed * 7919 + Number(inst.dbhCode ?? inst.organisationNumber))
  const out: SampleOffering[] = []
  const college = inst.category !== 'university'
  const year = (): number => inst.since + Math.floor(r() * Math.max(1, (inst.validTo === undefined ? 2024 : 2015) - inst.since))
  const courses: SampleOffering[] = []
  for (let i = 0; i < inst.courses; i++) {
    const f = pick(r, FIELDS)
    const t = Math.floor(r() * f.topicsNb.length)
    const w = Math.floor(r() * LEVEL_WORDS_NB.length)
    const master = r() < (inst.selfAccreditation.upToLevel === '6' ? 0 : college ? 0.15 : 0.35)
    const level = master ? 4 : 1 + Math.floor(r() * 3)
    const num = `${level}${String(i).padStart(4, '0')}`
    const credits = pick(r, [7.5, 7.5, 10, 10, 10, 15, 15, 20, 30, 5])
    const start = year()
    const english = master && r() < 0.5
    courses.push({
      kind: 'course',
      localCode: `${inst.prefix}${f.code}${num}`,
      localVersion: '1',
      name: { nb: `${LEVEL_WORDS_NB[w]} ${f.topicsNb[t]}`.replace(/^(Videregående|Avansert|Anvendt) /, '$1 '), en: `${LEVEL_WORDS_EN[w]} ${f.topicsEn[t]}` },
      credits,
      nkrLevel: master ? '7' : '6',
      nusCode: `${master ? '7' : '6'}${f.nus}${String(1000 + Math.floor(r() * 8999)).slice(0, 4)}`,
      iscedF: f.isced,
      languages: english ? ['en'] : r() < 0.1 ? ['nb', 'en'] : ['nb'],
      gradingScale: r() < 0.85 ? 'A-F' : 'pass-fail',
      learningOutcomes: {
        nb: `Studenten kan gjøre rede for sentrale begreper innen ${f.topicsNb[t]} og anvende dem på faglige problemer.`,
        en: `The student can explain central concepts of ${f.topicsEn[t]} and apply them to problems in the field.`
      },
      terms: r() < 0.5 ? [`${Math.max(start, 2024)}H`] : [`${Math.max(start, 2024) + 1}V`],
      status: 'active',
      relations: [],
      validFrom: `${start}-08-01`
    })
  }
  for (let i = 0; i < inst.programmes; i++) {
    const f = pick(r, FIELDS)
    const pt = inst.category === 'vocational-college'
      ? { nb: 'Fagskoleutdanning i', en: 'Vocational programme in', nkr: r() < 0.5 ? '5.1' : '5.2', credits: pick(r, [60, 90, 120]), nus: '5', suffix: 'FS', weight: 1 }
      : programmeType(r, college ? (inst.selfAccreditation.upToLevel === '7' ? '7' : '6') : 'none')
    // The private college's programmes predate NOKUT's decisions about them.
    const start = inst.category === 'vocational-college' ? 2010 : year()
    const code = `${inst.prefix}${pt.suffix}-${f.code}${i > FIELDS.length ? i : ''}`.toUpperCase()
    const relations: SampleOffering['relations'] = []
    const pool = courses.filter((c) => (pt.nkr === '7' || pt.nkr === '8') === (c.nkrLevel === '7') && c.iscedF === f.isced)
    const candidates = pool.length > 0 ? pool : courses
    const n = Math.min(candidates.length, pt.nkr === '8' ? 3 : pt.credits >= 120 ? 8 : 4)
    const chosen = new Set<string>()
    for (let k = 0; k < n; k++) {
      const c = pick(r, candidates)
      if (chosen.has(c.localCode)) continue
      chosen.add(c.localCode)
      relations.push({ type: k < n / 2 ? 'contains-mandatory' : 'contains-elective', target: c.localCode })
    }
    const english = pt.nkr !== '6' && r() < 0.3
    out.push({
      kind: 'study-programme',
      localCode: code,
      localVersion: '1',
      name: { nb: `${pt.nb} ${f.nb}`, en: `${pt.en} ${f.en}` },
      credits: pt.credits,
      nkrLevel: pt.nkr,
      nusCode: `${pt.nus}${f.nus}${String(1000 + Math.floor(r() * 8999)).slice(0, 4)}`,
      iscedF: f.isced,
      languages: english ? ['en'] : ['nb'],
      gradingScale: 'A-F',
      learningOutcomes: { nb: `Kandidaten har bred kunnskap om ${f.nb} og kan arbeide selvstendig med faglige problemstillinger.`, en: `The candidate has broad knowledge of ${f.en} and can work independently on problems in the field.` },
      terms: [`${Math.max(start, 2024)}H`],
      status: 'active',
      relations,
      links: pt.nkr === '6' || pt.nkr.startsWith('5') ? { admissionCode: `${inst.fsNumber}${String(100 + (i % 900)).padStart(3, '0')}` } : {},
      validFrom: `${start}-08-01`
    })
  }
  // Programme codes must be unique within the catalogue.
  const seen = new Map<string, number>()
  for (const p of out) {
    const k = seen.get(p.localCode) ?? 0
    seen.set(p.localCode, k + 1)
    if (k > 0) p.localCode = `${p.localCode}${k + 1}`
  }
  return [...courses, ...out, ...(SAMPLE_RESULT_OFFERINGS[inst.slug] ?? []).map((o) => ({ ...o, relations: [...o.relations] }))]
}

/**
 * Offerings for the benchmark: `count` courses and programmes over `institutions` owners,
 * valid from a spread of years. Each programme contains courses generated before it.
 */
export function benchmarkOfferings (count: number, seed = 1): SampleOffering[] {
  const r = prng(seed)
  const out: SampleOffering[] = []
  for (let i = 0; i < count; i++) {
    const f = FIELDS[i % FIELDS.length] as Field
    const t = i % f.topicsNb.length
    const programme = i % 10 === 9
    const master = r() < 0.3
    out.push({
      kind: programme ? 'study-programme' : 'course',
      localCode: programme ? `P${f.code}${i}` : `${f.code}${i}`,
      localVersion: '1',
      name: { nb: `${cap(pick(r, LEVEL_WORDS_NB).toLowerCase())} ${f.topicsNb[t]} ${i}`, en: `${pick(r, LEVEL_WORDS_EN)} ${f.topicsEn[t]}` },
      credits: programme ? (master ? 120 : 180) : pick(r, [7.5, 10, 15]),
      nkrLevel: master ? '7' : '6',
      nusCode: `${master ? '7' : '6'}${f.nus}${String(1000 + (i % 8999)).slice(0, 4)}`,
      iscedF: f.isced,
      languages: r() < 0.2 ? ['en'] : ['nb'],
      gradingScale: 'A-F',
      learningOutcomes: { nb: `Studenten kan ${f.topicsNb[t]}.`, en: `The student knows ${f.topicsEn[t]}.` },
      terms: ['2025H'],
      status: 'active',
      relations: programme ? [1, 2, 3].map((k) => ({ type: 'contains-mandatory', target: `${(FIELDS[(i - k) % FIELDS.length] as Field).code}${i - k}` })) : [],
      validFrom: `${2010 + (i % 15)}-08-01`
    })
  }
  return out
}

/** The sample's accreditation decisions by NOKUT about the private college's programmes. */
export const SAMPLE_DECISIONS = [
  { programme: 0, type: 'programme-accreditation', status: 'accredited', decisionDate: '2011-06-15', validFrom: '2011-08-01', validTo: '', reference: 'NOKUT 11/00417' },
  { programme: 1, type: 'programme-accreditation', status: 'accredited', decisionDate: '2012-03-20', validFrom: '2012-08-01', validTo: '', reference: 'NOKUT 12/00133' },
  { programme: 1, type: 'supervision', status: 'under-supervision', decisionDate: '2018-09-03', validFrom: '2018-09-03', validTo: '', reference: 'NOKUT 18/02211' },
  { programme: 1, type: 'revocation', status: 'revoked', decisionDate: '2019-06-14', validFrom: '2019-08-01', validTo: '', reference: 'NOKUT 19/01078' },
  { programme: 2, type: 'programme-accreditation', status: 'accredited', decisionDate: '2013-05-02', validFrom: '2013-08-01', validTo: '', reference: 'NOKUT 13/00871' },
  { programme: 3, type: 'programme-accreditation', status: 'accredited', decisionDate: '2014-05-02', validFrom: '2014-08-01', validTo: '', reference: 'NOKUT 14/00310' },
  { programme: 4, type: 'programme-accreditation', status: 'accredited', decisionDate: '2015-05-02', validFrom: '2015-08-01', validTo: '2021-08-01', reference: 'NOKUT 15/00522' },
  { programme: 5, type: 'programme-accreditation', status: 'accredited', decisionDate: '2016-05-02', validFrom: '2016-08-01', validTo: '', reference: 'NOKUT 16/00409' }
] as const
