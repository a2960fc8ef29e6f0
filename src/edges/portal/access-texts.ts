/**
 * "Who saw my data" in plain words, in Bokmål, Nynorsk and English: what each kind of event
 * says, and what the purposes and legal bases recorded with every read mean. Purposes and bases
 * are stable codes (docs/RESULTS-AND-PORTAL.md, the sources accept only known ones); a code
 * without a text here is shown as it is, so nothing recorded is hidden.
 */
import type { ByLang, Lang } from '../ui/lang.ts'

export interface AccessTexts {
  title: string
  lead: string
  noEvents: string
  noOwnHidden: (n: number) => string
  failed: (names: string) => string
  theIndex: string
  thePortal: string
  someone: string
  filters: string
  show: string
  showOthers: string
  showOwn: string
  showAll: string
  what: string
  whatAll: string
  whatShares: string
  whatAbroad: string
  whatInstitutions: string
  whatIndex: string
  apply: string
  page: (page: number, pages: number) => string
  previous: string
  next: string
  purpose: string
  legalBasis: string
  reference: string
  results: (n: number) => string
  list: (names: readonly string[]) => string
  // Events: the learner's own use
  ownResults: (sources: number) => string
  ownAccessLog: string
  ownIndex: string
  // Shares
  shareOpened: (recipient: string, createdOn: string) => string
  shareWrongCode: (recipient: string) => string
  shareLocked: (recipient: string) => string
  sentForShare: (who: string, n: number) => string
  // Abroad and wallet
  emrexSent: (who: string, n: number) => string
  ootsAsked: (who: string) => string
  ootsApproved: (who: string) => string
  ootsRefused: (who: string) => string
  ootsSent: (who: string) => string
  walletIssued: string
  walletRevoked: string
  fetchedFor: (sources: string, purpose: string) => string
  // Institutions and the index
  readResults: (who: string, n: number, where: string) => string
  readAccessLog: (who: string, where: string) => string
  pointerRegistered: (who: string) => string
  pointerWithdrawn: (who: string) => string
  enrolmentRegistered: (who: string) => string
  enrolmentWithdrawn: (who: string) => string
  identityCreated: (who: string) => string
  identityChanged: (who: string) => string
  identifierChange: (who: string) => string
  indexLookedUp: (who: string) => string
  indexChecked: (who: string) => string
  indexRegisterCheck: (who: string) => string
  indexResolved: (who: string) => string
  indexMatched: (who: string) => string
  indexRead: (who: string) => string
  institutionRead: (who: string, where: string) => string
  other: (who: string, operation: string) => string
  purposes: Readonly<Record<string, string>>
  legalBases: Readonly<Record<string, string>>
}

const list = (and: string) => (names: readonly string[]): string => names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} ${and} ${names[names.length - 1] ?? ''}`

const nb: AccessTexts = {
  title: 'Hvem har sett mine data',
  lead: 'Her står hver gang noen har lest eller endret opplysninger om deg: lærestedene, den nasjonale indeksen, delingene dine og tjenester i utlandet. Hvert lærested fører sin egen logg; vi samler dem her.',
  noEvents: 'Ingen har lest dataene dine ennå.',
  noOwnHidden: (n) => n === 1 ? '1 hendelse der du selv så på dataene dine, er skjult.' : `${n} hendelser der du selv så på dataene dine, er skjult.`,
  failed: (names) => `Disse svarte ikke, så loggen derfra mangler: ${names}.`,
  theIndex: 'Den nasjonale indeksen',
  thePortal: 'Vitnemålsportalen',
  someone: 'Noen',
  filters: 'Filtrer',
  show: 'Vis',
  showOthers: 'Andre enn deg',
  showOwn: 'Bare deg selv',
  showAll: 'Alle',
  what: 'Hva',
  whatAll: 'Alt',
  whatShares: 'Delinger',
  whatAbroad: 'Utlandet og lommeboka',
  whatInstitutions: 'Læresteder',
  whatIndex: 'Den nasjonale indeksen',
  apply: 'Vis',
  page: (p, n) => `Side ${p} av ${n}`,
  previous: 'Forrige side',
  next: 'Neste side',
  purpose: 'Formål',
  legalBasis: 'Rettslig grunnlag',
  reference: 'Referanse',
  results: (n) => n === 1 ? '1 resultat' : `${n} resultater`,
  list: list('og'),
  ownResults: (n) => n === 0 ? 'Du åpnet Mine resultater.' : `Du åpnet Mine resultater, og vi hentet resultatene dine fra ${n === 1 ? '1 lærested' : `${n} læresteder`}.`,
  ownAccessLog: 'Du åpnet Hvem har sett mine data.',
  ownIndex: 'Du så på opplysningene om deg i den nasjonale indeksen.',
  shareOpened: (r, d) => `${r} åpnet delingen du laget ${d}.`,
  shareWrongCode: (r) => `Noen prøvde å åpne delingen med ${r} med feil kode.`,
  shareLocked: (r) => `Delingen med ${r} ble låst etter for mange feil koder.`,
  sentForShare: (who, n) => `${who} sendte ${n === 1 ? '1 resultat' : `${n} resultater`}.`,
  emrexSent: (who, n) => `${who} fikk ${n === 1 ? '1 resultat' : `${n} resultater`} fra deg gjennom EMREX.`,
  ootsAsked: (who) => `${who} ba om dokumentasjon av utdanningen din gjennom EUs system for utveksling av dokumentasjon (OOTS).`,
  ootsApproved: (who) => `Du godkjente at ${who} får dokumentasjonen.`,
  ootsRefused: (who) => `Du avslo at ${who} får dokumentasjonen.`,
  ootsSent: (who) => `${who} fikk dokumentasjonen din gjennom OOTS.`,
  walletIssued: 'Lommeboka di hentet et bevis for et av resultatene dine.',
  walletRevoked: 'Et bevis i lommeboka di ble trukket tilbake.',
  fetchedFor: (s, p) => `Vitnemålsportalen hentet resultatene dine fra ${s} fordi ${p}.`,
  readResults: (who, n, where) => `${who} leste ${n === 1 ? '1 av resultatene dine' : `${n} av resultatene dine`} hos ${where}.`,
  readAccessLog: (who, where) => `${who} leste loggen over hvem som har sett dataene dine hos ${where}.`,
  pointerRegistered: (who) => `${who} meldte til den nasjonale indeksen at de har resultater for deg.`,
  pointerWithdrawn: (who) => `${who} meldte til den nasjonale indeksen at de ikke lenger har resultater for deg.`,
  enrolmentRegistered: (who) => `${who} meldte til den nasjonale indeksen at du er student der.`,
  enrolmentWithdrawn: (who) => `${who} meldte til den nasjonale indeksen at du ikke lenger er student der.`,
  identityCreated: (who) => `${who} registrerte deg i den nasjonale indeksen.`,
  identityChanged: (who) => `${who} oppdaterte opplysningene om deg i den nasjonale indeksen.`,
  identifierChange: (who) => `${who} behandlet en endring av identiteten din (for eksempel nytt fødselsnummer).`,
  indexLookedUp: (who) => `${who} spurte den nasjonale indeksen hvor resultatene dine er.`,
  indexChecked: (who) => `${who} sjekket i den nasjonale indeksen om du er student.`,
  indexRegisterCheck: (who) => `${who} sjekket at du er registrert i den nasjonale indeksen.`,
  indexResolved: (who) => `${who} slo opp deg i den nasjonale indeksen.`,
  indexMatched: (who) => `${who} lette etter deg i den nasjonale indeksen med navn og fødselsdato.`,
  indexRead: (who) => `${who} leste opplysninger om deg i den nasjonale indeksen.`,
  institutionRead: (who, where) => `${who} leste opplysninger om deg hos ${where}.`,
  other: (who, op) => `${who}: ${op}.`,
  purposes: {
    'portal.own-results': 'du ville se dine egne resultater',
    'portal.access-log': 'du ville se hvem som har sett dataene dine',
    'portal.share-view': 'noen åpnet en deling du laget',
    'portal.transfer': 'du ville sende resultater videre',
    'emrex.transfer': 'du ville sende resultater til et lærested i utlandet (EMREX)',
    'eudi.wallet-issuance': 'du ville legge resultater i EU-lommeboka',
    'oots.evidence-exchange': 'en myndighet i et annet EU-land ba om dokumentasjon (OOTS)',
    'results.register': 'lærestedet registrerte resultatene dine',
    'index.identity-maintenance': 'opplysningene om deg måtte holdes riktige',
    'learner.self-service': 'du ville se opplysningene om deg'
  },
  legalBases: {
    'gdpr-6-1-a': 'samtykke fra deg (personvernforordningen artikkel 6 nr. 1 a)',
    'gdpr-6-1-b': 'avtale med deg (personvernforordningen artikkel 6 nr. 1 b)',
    'gdpr-6-1-c': 'en rettslig plikt (personvernforordningen artikkel 6 nr. 1 c)',
    'gdpr-6-1-e': 'en oppgave i allmennhetens interesse (personvernforordningen artikkel 6 nr. 1 e)'
  }
}

const nn: AccessTexts = {
  title: 'Kven har sett dataa mine',
  lead: 'Her står kvar gong nokon har lese eller endra opplysningar om deg: lærestadene, den nasjonale indeksen, delingane dine og tenester i utlandet. Kvar lærestad fører sin eigen logg; vi samlar dei her.',
  noEvents: 'Ingen har lese dataa dine enno.',
  noOwnHidden: (n) => n === 1 ? '1 hending der du sjølv såg på dataa dine, er gøymd.' : `${n} hendingar der du sjølv såg på dataa dine, er gøymde.`,
  failed: (names) => `Desse svarte ikkje, så loggen derifrå manglar: ${names}.`,
  theIndex: 'Den nasjonale indeksen',
  thePortal: 'Vitnemålsportalen',
  someone: 'Nokon',
  filters: 'Filtrer',
  show: 'Vis',
  showOthers: 'Andre enn deg',
  showOwn: 'Berre deg sjølv',
  showAll: 'Alle',
  what: 'Kva',
  whatAll: 'Alt',
  whatShares: 'Delingar',
  whatAbroad: 'Utlandet og lommeboka',
  whatInstitutions: 'Lærestader',
  whatIndex: 'Den nasjonale indeksen',
  apply: 'Vis',
  page: (p, n) => `Side ${p} av ${n}`,
  previous: 'Førre side',
  next: 'Neste side',
  purpose: 'Føremål',
  legalBasis: 'Rettsleg grunnlag',
  reference: 'Referanse',
  results: (n) => n === 1 ? '1 resultat' : `${n} resultat`,
  list: list('og'),
  ownResults: (n) => n === 0 ? 'Du opna Mine resultat.' : `Du opna Mine resultat, og vi henta resultata dine frå ${n === 1 ? '1 lærestad' : `${n} lærestader`}.`,
  ownAccessLog: 'Du opna Kven har sett dataa mine.',
  ownIndex: 'Du såg på opplysningane om deg i den nasjonale indeksen.',
  shareOpened: (r, d) => `${r} opna delinga du laga ${d}.`,
  shareWrongCode: (r) => `Nokon prøvde å opne delinga med ${r} med feil kode.`,
  shareLocked: (r) => `Delinga med ${r} vart låst etter for mange feil kodar.`,
  sentForShare: (who, n) => `${who} sende ${n === 1 ? '1 resultat' : `${n} resultat`}.`,
  emrexSent: (who, n) => `${who} fekk ${n === 1 ? '1 resultat' : `${n} resultat`} frå deg gjennom EMREX.`,
  ootsAsked: (who) => `${who} bad om dokumentasjon av utdanninga di gjennom EU-systemet for utveksling av dokumentasjon (OOTS).`,
  ootsApproved: (who) => `Du godkjende at ${who} får dokumentasjonen.`,
  ootsRefused: (who) => `Du avslo at ${who} får dokumentasjonen.`,
  ootsSent: (who) => `${who} fekk dokumentasjonen din gjennom OOTS.`,
  walletIssued: 'Lommeboka di henta eit prov for eitt av resultata dine.',
  walletRevoked: 'Eit prov i lommeboka di vart trekt tilbake.',
  fetchedFor: (s, p) => `Vitnemålsportalen henta resultata dine frå ${s} fordi ${p}.`,
  readResults: (who, n, where) => `${who} las ${n === 1 ? '1 av resultata dine' : `${n} av resultata dine`} hos ${where}.`,
  readAccessLog: (who, where) => `${who} las loggen over kven som har sett dataa dine hos ${where}.`,
  pointerRegistered: (who) => `${who} melde til den nasjonale indeksen at dei har resultat for deg.`,
  pointerWithdrawn: (who) => `${who} melde til den nasjonale indeksen at dei ikkje lenger har resultat for deg.`,
  enrolmentRegistered: (who) => `${who} melde til den nasjonale indeksen at du er student der.`,
  enrolmentWithdrawn: (who) => `${who} melde til den nasjonale indeksen at du ikkje lenger er student der.`,
  identityCreated: (who) => `${who} registrerte deg i den nasjonale indeksen.`,
  identityChanged: (who) => `${who} oppdaterte opplysningane om deg i den nasjonale indeksen.`,
  identifierChange: (who) => `${who} handsama ei endring av identiteten din (til dømes nytt fødselsnummer).`,
  indexLookedUp: (who) => `${who} spurde den nasjonale indeksen kvar resultata dine er.`,
  indexChecked: (who) => `${who} sjekka i den nasjonale indeksen om du er student.`,
  indexRegisterCheck: (who) => `${who} sjekka at du er registrert i den nasjonale indeksen.`,
  indexResolved: (who) => `${who} slo opp deg i den nasjonale indeksen.`,
  indexMatched: (who) => `${who} leita etter deg i den nasjonale indeksen med namn og fødselsdato.`,
  indexRead: (who) => `${who} las opplysningar om deg i den nasjonale indeksen.`,
  institutionRead: (who, where) => `${who} las opplysningar om deg hos ${where}.`,
  other: (who, op) => `${who}: ${op}.`,
  purposes: {
    'portal.own-results': 'du ville sjå dine eigne resultat',
    'portal.access-log': 'du ville sjå kven som har sett dataa dine',
    'portal.share-view': 'nokon opna ei deling du laga',
    'portal.transfer': 'du ville sende resultat vidare',
    'emrex.transfer': 'du ville sende resultat til ein lærestad i utlandet (EMREX)',
    'eudi.wallet-issuance': 'du ville leggje resultat i EU-lommeboka',
    'oots.evidence-exchange': 'ei styresmakt i eit anna EU-land bad om dokumentasjon (OOTS)',
    'results.register': 'lærestaden registrerte resultata dine',
    'index.identity-maintenance': 'opplysningane om deg måtte haldast rette',
    'learner.self-service': 'du ville sjå opplysningane om deg'
  },
  legalBases: {
    'gdpr-6-1-a': 'samtykke frå deg (personvernforordninga artikkel 6 nr. 1 a)',
    'gdpr-6-1-b': 'avtale med deg (personvernforordninga artikkel 6 nr. 1 b)',
    'gdpr-6-1-c': 'ei rettsleg plikt (personvernforordninga artikkel 6 nr. 1 c)',
    'gdpr-6-1-e': 'ei oppgåve i ålmenta si interesse (personvernforordninga artikkel 6 nr. 1 e)'
  }
}

const en: AccessTexts = {
  title: 'Who saw my data',
  lead: 'Every time someone read or changed information about you is listed here: the institutions, the national index, your shares and services abroad. Each institution keeps its own log; we bring them together here.',
  noEvents: 'Nobody has read your data yet.',
  noOwnHidden: (n) => n === 1 ? '1 event in which you looked at your own data is hidden.' : `${n} events in which you looked at your own data are hidden.`,
  failed: (names) => `These did not answer, so their log is missing: ${names}.`,
  theIndex: 'The national index',
  thePortal: 'The Diploma portal',
  someone: 'Someone',
  filters: 'Filter',
  show: 'Show',
  showOthers: 'Others than you',
  showOwn: 'Only yourself',
  showAll: 'Everyone',
  what: 'What',
  whatAll: 'Everything',
  whatShares: 'Shares',
  whatAbroad: 'Abroad and the wallet',
  whatInstitutions: 'Institutions',
  whatIndex: 'The national index',
  apply: 'Show',
  page: (p, n) => `Page ${p} of ${n}`,
  previous: 'Previous page',
  next: 'Next page',
  purpose: 'Purpose',
  legalBasis: 'Legal basis',
  reference: 'Reference',
  results: (n) => n === 1 ? '1 result' : `${n} results`,
  list: list('and'),
  ownResults: (n) => n === 0 ? 'You opened My results.' : `You opened My results, and we fetched your results from ${n === 1 ? '1 institution' : `${n} institutions`}.`,
  ownAccessLog: 'You opened Who saw my data.',
  ownIndex: 'You looked at the information about you in the national index.',
  shareOpened: (r, d) => `${r} opened the share you made on ${d}.`,
  shareWrongCode: (r) => `Someone tried to open the share with ${r} with a wrong code.`,
  shareLocked: (r) => `The share with ${r} was locked after too many wrong codes.`,
  sentForShare: (who, n) => `${who} sent ${n === 1 ? '1 result' : `${n} results`}.`,
  emrexSent: (who, n) => `${who} received ${n === 1 ? '1 result' : `${n} results`} from you through EMREX.`,
  ootsAsked: (who) => `${who} asked for evidence of your education through the EU's Once-Only Technical System (OOTS).`,
  ootsApproved: (who) => `You approved that ${who} receives the evidence.`,
  ootsRefused: (who) => `You refused that ${who} receives the evidence.`,
  ootsSent: (who) => `${who} received your evidence through OOTS.`,
  walletIssued: 'Your wallet fetched a credential for one of your results.',
  walletRevoked: 'A credential in your wallet was revoked.',
  fetchedFor: (s, p) => `The Diploma portal fetched your results from ${s} because ${p}.`,
  readResults: (who, n, where) => `${who} read ${n === 1 ? '1 of your results' : `${n} of your results`} at ${where}.`,
  readAccessLog: (who, where) => `${who} read the log of who saw your data at ${where}.`,
  pointerRegistered: (who) => `${who} told the national index that it holds results for you.`,
  pointerWithdrawn: (who) => `${who} told the national index that it no longer holds results for you.`,
  enrolmentRegistered: (who) => `${who} told the national index that you are a student there.`,
  enrolmentWithdrawn: (who) => `${who} told the national index that you are no longer a student there.`,
  identityCreated: (who) => `${who} registered you in the national index.`,
  identityChanged: (who) => `${who} updated the information about you in the national index.`,
  identifierChange: (who) => `${who} handled a change of your identity (for example a new national identity number).`,
  indexLookedUp: (who) => `${who} asked the national index where your results are.`,
  indexChecked: (who) => `${who} checked in the national index whether you are a student.`,
  indexRegisterCheck: (who) => `${who} checked that you are registered in the national index.`,
  indexResolved: (who) => `${who} looked you up in the national index.`,
  indexMatched: (who) => `${who} searched for you in the national index by name and birth date.`,
  indexRead: (who) => `${who} read information about you in the national index.`,
  institutionRead: (who, where) => `${who} read information about you at ${where}.`,
  other: (who, op) => `${who}: ${op}.`,
  purposes: {
    'portal.own-results': 'you wanted to see your own results',
    'portal.access-log': 'you wanted to see who saw your data',
    'portal.share-view': 'someone opened a share you made',
    'portal.transfer': 'you wanted to send results on',
    'emrex.transfer': 'you wanted to send results to an institution abroad (EMREX)',
    'eudi.wallet-issuance': 'you wanted to put results in your EU wallet',
    'oots.evidence-exchange': 'an authority in another EU country asked for evidence (OOTS)',
    'results.register': 'the institution registered your results',
    'index.identity-maintenance': 'the information about you had to be kept right',
    'learner.self-service': 'you wanted to see the information about you'
  },
  legalBases: {
    'gdpr-6-1-a': 'your consent (GDPR Article 6(1)(a))',
    'gdpr-6-1-b': 'a contract with you (GDPR Article 6(1)(b))',
    'gdpr-6-1-c': 'a legal obligation (GDPR Article 6(1)(c))',
    'gdpr-6-1-e': 'a task in the public interest (GDPR Article 6(1)(e))'
  }
}

export const ACCESS_TEXTS: ByLang<AccessTexts> = { nb, nn, en }

/** A purpose in plain words (as it was recorded when there is none). */
export function purposeText (code: string, lang: Lang): string {
  return ACCESS_TEXTS[lang].purposes[code] ?? code
}

/** A legal basis in plain words (as it was recorded when there is none). */
export function legalBasisText (code: string, lang: Lang): string {
  return ACCESS_TEXTS[lang].legalBases[code] ?? code
}
