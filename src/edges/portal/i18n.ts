/**
 * The portal's texts in Bokmål, Nynorsk and English. A page's language is chosen once
 * (src/edges/ui/lang.ts); every text of the page comes from the same entry here.
 */
import type { ByLang, Lang } from '../ui/lang.ts'

export type { Lang } from '../ui/lang.ts'

export interface Texts {
  portal: string
  tagline: string
  landingPoints: readonly string[]
  signIn: string
  myResults: string
  resultsHeading: string
  myShares: string
  accessLog: string
  sources: string
  sourcesLead: string
  statusOk: string
  statusUnavailable: string
  statusTimedOut: string
  statusRefused: string
  statusFailed: string
  resultCount: (n: number) => string
  indexDown: string
  partialNotice: string
  noResults: string
  grade: string
  credits: string
  date: string
  issuer: string
  term: string
  verified: string
  notVerified: string
  verifiedExplain: string
  notVerifiedExplain: string
  issuedBy: string
  annulled: string
  corrected: string
  parts: (n: number) => string
  shareHeading: string
  shareLead: string
  pickResults: string
  pickAtLeastOne: string
  recipient: string
  recipientHint: string
  recipientMissing: string
  expires: string
  expiresHint: (maxDays: number) => string
  expiresInvalid: (maxDays: number) => string
  maxUses: string
  maxUsesHint: string
  maxUsesInvalid: string
  shareLanguage: string
  shareLanguageHint: string
  showBirthDate: string
  showBirthDateHint: string
  createShare: string
  formHasErrors: string
  shareCreated: string
  shareLink: string
  shareCode: string
  shareCodeOnce: string
  shareWhatTheySee: (lang: string, birthDate: boolean) => string
  copy: string
  copied: string
  copyFailed: string
  noShares: string
  revoke: string
  revokeConfirmTitle: string
  revokeConfirmText: (recipient: string) => string
  revokeConfirm: string
  cancel: string
  revokedDone: (recipient: string) => string
  uses: string
  usesOf: (uses: number, max: number) => string
  state: string
  created: string
  openings: string
  noOpenings: string
  stateActive: string
  stateRevoked: string
  stateExpired: string
  stateExhausted: string
  stateLocked: string
  openingGranted: (n: number) => string
  openingWrongCode: string
  openingLocked: string
  language: string
  languageNames: ByLang<string>
  shareFor: string
  shareCodeLead: string
  enterCode: string
  enterCodeHint: string
  open: string
  sharedBy: string
  born: string
  sharedWith: string
  openedAt: string
  downloadBundle: string
  downloadPdf: string
  downloadsHeading: string
  pdfSigned: (signer: string) => string
  pdfUnsigned: string
  whatWasChecked: string
  checkedList: readonly string[]
  checkYourselfHeading: string
  checkInBrowser: string
  checkInBrowserLink: string
  askWallet: string
  askWalletLink: string
  checkWithTool: string
  anchorFingerprint: string
  thenVerify: string
  proofHoldsSigned: string
  devIssuerTitle: string
  devIssuerExplain: string
  chooseLearner: string
  signInAs: string
  flaggedReason: string
  foreignResults: string
  foreignExplain: string
  foreignFailed: string
  imported: string
  importedFrom: (provider: string, country: string, day: string) => string
  provenance: string
  moreActions: string
  fetchAbroad: string
  addToWallet: string
  signingIn: string
  continue: string
  transcript: string
  pdfProofAttached: (verifyUrl: string) => string
  proofSha: string
  pageOf: (n: number, m: number) => string
  gradeValues: Readonly<Record<string, string>>
  components: Readonly<Record<string, string>>
  kinds: Readonly<Record<string, string>>
}

const nb: Texts = {
  portal: 'Vitnemålsportalen',
  tagline: 'Alle resultatene dine fra alle lærestedene, hentet direkte fra dem og kontrollert.',
  landingPoints: ['Se vitnemål, emner og fagbrev fra universiteter, høgskoler og fylkeskommuner på ett sted.', 'Del utvalgte resultater med en arbeidsgiver med lenke og tilgangskode.', 'Se hvem som har lest dataene dine, og hvorfor.'],
  signIn: 'Logg inn',
  myResults: 'Mine resultater',
  resultsHeading: 'Resultater',
  myShares: 'Mine delinger',
  accessLog: 'Hvem har sett mine data',
  sources: 'Lærestedene vi spurte',
  sourcesLead: 'Resultatene hentes direkte fra lærestedene hver gang du åpner siden.',
  statusOk: 'svarte',
  statusUnavailable: 'er ikke tilgjengelig nå',
  statusTimedOut: 'svarte ikke i tide',
  statusRefused: 'avviste forespørselen',
  statusFailed: 'svarte med en feil',
  resultCount: (n) => n === 1 ? '1 resultat' : `${n} resultater`,
  indexDown: 'Den nasjonale indeksen svarte ikke, så vi vet ikke hvor resultatene dine er. Prøv igjen senere.',
  partialNotice: 'Noen læresteder svarte ikke. Resultatene derfra mangler i listen; prøv igjen senere.',
  noResults: 'Vi fant ingen resultater.',
  grade: 'Karakter',
  credits: 'Studiepoeng',
  date: 'Dato',
  issuer: 'Utsteder',
  term: 'Semester',
  verified: 'Kontrollert',
  notVerified: 'Ikke kontrollert',
  verifiedExplain: 'Lærestedets signatur og innføringen i lærestedets logg er kontrollert.',
  notVerifiedExplain: 'Dette resultatet besto ikke kontrollen og kan ikke deles.',
  issuedBy: 'utstedt av',
  annulled: 'annullert',
  corrected: 'rettet',
  parts: (n) => n === 1 ? '1 del' : `${n} deler`,
  shareHeading: 'Del resultater',
  shareLead: 'Velg resultatene du vil dele. Mottakeren får en lenke og en tilgangskode og ser bare det du velger.',
  pickResults: 'Velg resultater å dele',
  pickAtLeastOne: 'Velg minst ett resultat.',
  recipient: 'Hvem deler du med?',
  recipientHint: 'For eksempel navnet på arbeidsgiveren. Bare du ser dette.',
  recipientMissing: 'Skriv hvem du deler med.',
  expires: 'Gyldig til og med',
  expiresHint: (d) => `Høyst ${d} dager fram i tid.`,
  expiresInvalid: (d) => `Velg en dato fra i dag og høyst ${d} dager fram i tid.`,
  maxUses: 'Hvor mange ganger kan delingen åpnes?',
  maxUsesHint: '0 betyr ubegrenset.',
  maxUsesInvalid: 'Skriv et tall fra 0 til 1000.',
  shareLanguage: 'Språk for mottakeren',
  shareLanguageHint: 'Siden mottakeren åpner, og PDF-en, er på dette språket.',
  showBirthDate: 'Vis fødselsdatoen min',
  showBirthDateHint: 'Uten dette ser mottakeren bare navnet ditt.',
  createShare: 'Lag deling',
  formHasErrors: 'Skjemaet har feil. Rett dem og prøv igjen.',
  shareCreated: 'Delingen er laget',
  shareLink: 'Lenke',
  shareCode: 'Tilgangskode',
  shareCodeOnce: 'Skriv ned koden nå: den vises bare denne ene gangen. Gi lenken og koden til mottakeren.',
  shareWhatTheySee: (lang, birth) => `Mottakeren ser siden på ${lang}, med navnet ditt${birth ? ' og fødselsdatoen din' : ' (ikke fødselsdatoen din)'}.`,
  copy: 'Kopier',
  copied: 'Kopiert',
  copyFailed: 'Kunne ikke kopiere. Merk teksten og kopier den selv.',
  noShares: 'Du har ingen delinger.',
  revoke: 'Trekk tilbake',
  revokeConfirmTitle: 'Trekke tilbake delingen?',
  revokeConfirmText: (r) => `Lenken du ga til «${r}», slutter å virke med en gang. Dette kan ikke angres.`,
  revokeConfirm: 'Ja, trekk tilbake',
  cancel: 'Avbryt',
  revokedDone: (r) => `Delingen med «${r}» er trukket tilbake. Lenken virker ikke lenger.`,
  uses: 'Åpnet',
  usesOf: (u, m) => m > 0 ? `${u} av ${m} ganger` : (u === 1 ? '1 gang' : `${u} ganger`),
  state: 'Tilstand',
  created: 'Laget',
  openings: 'Åpninger',
  noOpenings: 'Ikke åpnet ennå.',
  stateActive: 'aktiv',
  stateRevoked: 'trukket tilbake',
  stateExpired: 'utløpt',
  stateExhausted: 'brukt opp',
  stateLocked: 'låst (for mange feil koder)',
  openingGranted: (n) => `åpnet (${n}. gang)`,
  openingWrongCode: 'forsøk med feil kode',
  openingLocked: 'låst etter for mange feil koder',
  language: 'Språk',
  languageNames: { nb: 'bokmål', nn: 'nynorsk', en: 'engelsk' },
  shareFor: 'Resultater delt med deg',
  shareCodeLead: 'Noen har delt resultater fra Vitnemålsportalen med deg. Skriv inn tilgangskoden du fikk sammen med lenken.',
  enterCode: 'Tilgangskode',
  enterCodeHint: 'Ti tegn, for eksempel ABCDE-12345.',
  open: 'Åpne',
  sharedBy: 'Delt av',
  born: 'født',
  sharedWith: 'Delt med',
  openedAt: 'Åpnet',
  downloadBundle: 'Last ned beviset (JSON)',
  downloadPdf: 'Last ned signert PDF',
  downloadsHeading: 'Last ned',
  pdfSigned: (s) => `PDF-en er signert elektronisk av ${s}, og beviset ligger vedlagt i den.`,
  pdfUnsigned: 'PDF-en er ikke signert på denne noden; bruk beviset til å kontrollere resultatene.',
  whatWasChecked: 'Dette er kontrollert',
  checkedList: [
    'Hvert resultat er signert av lærestedets node, slik føderasjonens medlemsliste oppgir den.',
    'Hvert resultat står i lærestedets åpne logg (et Merkle-tre), og loggens kontrollpunkt er signert av lærestedet og bekreftet av andre medlemmer.',
    'Resultatene gjelder personen som delte dem.',
    'Resultatene ble hentet fra lærestedene akkurat nå, så rettinger og annulleringer vises.'
  ],
  checkYourselfHeading: 'Kontroller selv',
  checkInBrowser: 'Du trenger ikke stole på denne siden. Slipp beviset eller PDF-en i kontrollen, som kjører i nettleseren din uten å laste opp noe:',
  checkInBrowserLink: 'Kontroller beviset i nettleseren',
  askWallet: 'Har kandidaten resultatene i EU-lommeboka si, kan du også be lommeboka om et bevis direkte.',
  askWalletLink: 'Be om et bevis fra lommeboka',
  checkWithTool: 'Eller med kommandolinjeverktøyet lifelong: fest føderasjonens tillitsanker én gang (sammenlign fingeravtrykket med det operatøren publiserer),',
  anchorFingerprint: 'Fingeravtrykk for tillitsankeret',
  thenVerify: 'og kontroller beviset:',
  proofHoldsSigned: 'Beviset inneholder resultatene slik lærestedet signerte dem, med navn og fødselsdato.',
  devIssuerTitle: 'UTVIKLINGSINNLOGGING – ikke ekte ID-porten',
  devIssuerExplain: 'Dette er den lokale føderasjonens utviklingsutsteder. Den logger inn oppdiktede eksempelpersoner uten noen kontroll. Den finnes bare i test- og demoføderasjoner.',
  chooseLearner: 'Velg en eksempelperson',
  signInAs: 'Logg inn som',
  flaggedReason: 'Grunn',
  foreignResults: 'Resultater hentet fra utlandet (EMREX)',
  foreignExplain: 'Disse er ikke kontrollert av føderasjonen: de kommer fra et utenlandsk lærested, og signaturen deres er kontrollert mot lærestedets registrerte sertifikat.',
  foreignFailed: 'Resultatene du har hentet fra utlandet, kunne ikke leses nå.',
  imported: 'Importert',
  importedFrom: (p, c, d) => `fra ${p} (${c}), mottatt ${d}`,
  provenance: 'Opphav og signatur',
  moreActions: 'Mer du kan gjøre',
  fetchAbroad: 'Hent resultater fra et utenlandsk lærested (EMREX)',
  addToWallet: 'Legg resultater i EU-lommeboka',
  signingIn: 'Logger inn …',
  continue: 'Fortsett',
  transcript: 'Resultatutskrift',
  pdfProofAttached: (u) => `Beviset for resultatene er vedlagt denne PDF-en (results-proof.json). Kontroller det uten å stole på portalen: slipp PDF-en i kontrollen på ${u}, eller kjør lifelong verify results-proof.json.`,
  proofSha: 'Bevisfil SHA-256',
  pageOf: (n, m) => `Side ${n} av ${m}`,
  gradeValues: { passed: 'bestått', failed: 'ikke bestått', 'passed-with-distinction': 'bestått meget godt' },
  components: { standpunkt: 'standpunkt', 'exam-written': 'skriftlig eksamen', 'exam-oral': 'muntlig eksamen', 'exam-practical': 'praktisk eksamen' },
  kinds: {
    'course-result': 'Emne',
    diploma: 'Vitnemål',
    qualification: 'Kvalifikasjon',
    'upper-secondary-diploma': 'Vitnemål fra videregående',
    'upper-secondary-certificate': 'Kompetansebevis',
    'trade-certificate': 'Fagbrev',
    'micro-credential': 'Mikrokvalifikasjon',
    recognition: 'Godkjenning av utenlandsk utdanning'
  }
}

const nn: Texts = {
  portal: 'Vitnemålsportalen',
  tagline: 'Alle resultata dine frå alle lærestadene, henta direkte frå dei og kontrollerte.',
  landingPoints: ['Sjå vitnemål, emne og fagbrev frå universitet, høgskular og fylkeskommunar på éin stad.', 'Del utvalde resultat med ein arbeidsgjevar med lenkje og tilgangskode.', 'Sjå kven som har lese dataa dine, og kvifor.'],
  signIn: 'Logg inn',
  myResults: 'Mine resultat',
  resultsHeading: 'Resultat',
  myShares: 'Mine delingar',
  accessLog: 'Kven har sett dataa mine',
  sources: 'Lærestadene vi spurde',
  sourcesLead: 'Resultata vert henta direkte frå lærestadene kvar gong du opnar sida.',
  statusOk: 'svarte',
  statusUnavailable: 'er ikkje tilgjengeleg no',
  statusTimedOut: 'svarte ikkje i tide',
  statusRefused: 'avviste førespurnaden',
  statusFailed: 'svarte med ein feil',
  resultCount: (n) => n === 1 ? '1 resultat' : `${n} resultat`,
  indexDown: 'Den nasjonale indeksen svarte ikkje, så vi veit ikkje kvar resultata dine er. Prøv igjen seinare.',
  partialNotice: 'Nokre lærestader svarte ikkje. Resultata derifrå manglar i lista; prøv igjen seinare.',
  noResults: 'Vi fann ingen resultat.',
  grade: 'Karakter',
  credits: 'Studiepoeng',
  date: 'Dato',
  issuer: 'Utferdar',
  term: 'Semester',
  verified: 'Kontrollert',
  notVerified: 'Ikkje kontrollert',
  verifiedExplain: 'Signaturen til lærestaden og innføringa i loggen til lærestaden er kontrollerte.',
  notVerifiedExplain: 'Dette resultatet stod ikkje kontrollen og kan ikkje delast.',
  issuedBy: 'utferda av',
  annulled: 'annullert',
  corrected: 'retta',
  parts: (n) => n === 1 ? '1 del' : `${n} delar`,
  shareHeading: 'Del resultat',
  shareLead: 'Vel resultata du vil dele. Mottakaren får ei lenkje og ein tilgangskode og ser berre det du vel.',
  pickResults: 'Vel resultat å dele',
  pickAtLeastOne: 'Vel minst eitt resultat.',
  recipient: 'Kven deler du med?',
  recipientHint: 'Til dømes namnet på arbeidsgjevaren. Berre du ser dette.',
  recipientMissing: 'Skriv kven du deler med.',
  expires: 'Gyldig til og med',
  expiresHint: (d) => `Høgst ${d} dagar fram i tid.`,
  expiresInvalid: (d) => `Vel ein dato frå i dag og høgst ${d} dagar fram i tid.`,
  maxUses: 'Kor mange gonger kan delinga opnast?',
  maxUsesHint: '0 tyder uavgrensa.',
  maxUsesInvalid: 'Skriv eit tal frå 0 til 1000.',
  shareLanguage: 'Språk for mottakaren',
  shareLanguageHint: 'Sida mottakaren opnar, og PDF-en, er på dette språket.',
  showBirthDate: 'Vis fødselsdatoen min',
  showBirthDateHint: 'Utan dette ser mottakaren berre namnet ditt.',
  createShare: 'Lag deling',
  formHasErrors: 'Skjemaet har feil. Rett dei og prøv igjen.',
  shareCreated: 'Delinga er laga',
  shareLink: 'Lenkje',
  shareCode: 'Tilgangskode',
  shareCodeOnce: 'Skriv ned koden no: han vert berre vist denne eine gongen. Gje lenkja og koden til mottakaren.',
  shareWhatTheySee: (lang, birth) => `Mottakaren ser sida på ${lang}, med namnet ditt${birth ? ' og fødselsdatoen din' : ' (ikkje fødselsdatoen din)'}.`,
  copy: 'Kopier',
  copied: 'Kopiert',
  copyFailed: 'Kunne ikkje kopiere. Merk teksten og kopier han sjølv.',
  noShares: 'Du har ingen delingar.',
  revoke: 'Trekk tilbake',
  revokeConfirmTitle: 'Trekkje tilbake delinga?',
  revokeConfirmText: (r) => `Lenkja du gav til «${r}», sluttar å verke med ein gong. Dette kan ikkje angrast.`,
  revokeConfirm: 'Ja, trekk tilbake',
  cancel: 'Avbryt',
  revokedDone: (r) => `Delinga med «${r}» er trekt tilbake. Lenkja verkar ikkje lenger.`,
  uses: 'Opna',
  usesOf: (u, m) => m > 0 ? `${u} av ${m} gonger` : (u === 1 ? '1 gong' : `${u} gonger`),
  state: 'Tilstand',
  created: 'Laga',
  openings: 'Opningar',
  noOpenings: 'Ikkje opna enno.',
  stateActive: 'aktiv',
  stateRevoked: 'trekt tilbake',
  stateExpired: 'gått ut',
  stateExhausted: 'brukt opp',
  stateLocked: 'låst (for mange feil kodar)',
  openingGranted: (n) => `opna (${n}. gong)`,
  openingWrongCode: 'forsøk med feil kode',
  openingLocked: 'låst etter for mange feil kodar',
  language: 'Språk',
  languageNames: { nb: 'bokmål', nn: 'nynorsk', en: 'engelsk' },
  shareFor: 'Resultat delte med deg',
  shareCodeLead: 'Nokon har delt resultat frå Vitnemålsportalen med deg. Skriv inn tilgangskoden du fekk saman med lenkja.',
  enterCode: 'Tilgangskode',
  enterCodeHint: 'Ti teikn, til dømes ABCDE-12345.',
  open: 'Opne',
  sharedBy: 'Delt av',
  born: 'fødd',
  sharedWith: 'Delt med',
  openedAt: 'Opna',
  downloadBundle: 'Last ned beviset (JSON)',
  downloadPdf: 'Last ned signert PDF',
  downloadsHeading: 'Last ned',
  pdfSigned: (s) => `PDF-en er signert elektronisk av ${s}, og beviset ligg vedlagt i han.`,
  pdfUnsigned: 'PDF-en er ikkje signert på denne noden; bruk beviset til å kontrollere resultata.',
  whatWasChecked: 'Dette er kontrollert',
  checkedList: [
    'Kvart resultat er signert av noden til lærestaden, slik medlemslista til føderasjonen oppgjev han.',
    'Kvart resultat står i den opne loggen til lærestaden (eit Merkle-tre), og kontrollpunktet til loggen er signert av lærestaden og stadfesta av andre medlemmer.',
    'Resultata gjeld personen som delte dei.',
    'Resultata vart henta frå lærestadene akkurat no, så rettingar og annulleringar vert viste.'
  ],
  checkYourselfHeading: 'Kontroller sjølv',
  checkInBrowser: 'Du treng ikkje stole på denne sida. Slepp beviset eller PDF-en i kontrollen, som køyrer i nettlesaren din utan å laste opp noko:',
  checkInBrowserLink: 'Kontroller beviset i nettlesaren',
  askWallet: 'Har kandidaten resultata i EU-lommeboka si, kan du òg be lommeboka om eit prov direkte.',
  askWalletLink: 'Be om eit prov frå lommeboka',
  checkWithTool: 'Eller med kommandolinjeverktøyet lifelong: fest tillitsankeret til føderasjonen éin gong (samanlikn fingeravtrykket med det operatøren publiserer),',
  anchorFingerprint: 'Fingeravtrykk for tillitsankeret',
  thenVerify: 'og kontroller beviset:',
  proofHoldsSigned: 'Beviset inneheld resultata slik lærestaden signerte dei, med namn og fødselsdato.',
  devIssuerTitle: 'UTVIKLINGSINNLOGGING – ikkje ekte ID-porten',
  devIssuerExplain: 'Dette er utviklingsutferdaren til den lokale føderasjonen. Han loggar inn oppdikta eksempelpersonar utan nokon kontroll. Han finst berre i test- og demoføderasjonar.',
  chooseLearner: 'Vel ein eksempelperson',
  signInAs: 'Logg inn som',
  flaggedReason: 'Grunn',
  foreignResults: 'Resultat henta frå utlandet (EMREX)',
  foreignExplain: 'Desse er ikkje kontrollerte av føderasjonen: dei kjem frå ein utanlandsk lærestad, og signaturen deira er kontrollert mot det registrerte sertifikatet til lærestaden.',
  foreignFailed: 'Resultata du har henta frå utlandet, kunne ikkje lesast no.',
  imported: 'Importert',
  importedFrom: (p, c, d) => `frå ${p} (${c}), motteke ${d}`,
  provenance: 'Opphav og signatur',
  moreActions: 'Meir du kan gjere',
  fetchAbroad: 'Hent resultat frå ein utanlandsk lærestad (EMREX)',
  addToWallet: 'Legg resultat i EU-lommeboka',
  signingIn: 'Loggar inn …',
  continue: 'Hald fram',
  transcript: 'Resultatutskrift',
  pdfProofAttached: (u) => `Beviset for resultata er vedlagt denne PDF-en (results-proof.json). Kontroller det utan å stole på portalen: slepp PDF-en i kontrollen på ${u}, eller køyr lifelong verify results-proof.json.`,
  proofSha: 'Bevisfil SHA-256',
  pageOf: (n, m) => `Side ${n} av ${m}`,
  gradeValues: { passed: 'bestått', failed: 'ikkje bestått', 'passed-with-distinction': 'bestått med særs godt' },
  components: { standpunkt: 'standpunkt', 'exam-written': 'skriftleg eksamen', 'exam-oral': 'munnleg eksamen', 'exam-practical': 'praktisk eksamen' },
  kinds: {
    'course-result': 'Emne',
    diploma: 'Vitnemål',
    qualification: 'Kvalifikasjon',
    'upper-secondary-diploma': 'Vitnemål frå vidaregåande',
    'upper-secondary-certificate': 'Kompetansebevis',
    'trade-certificate': 'Fagbrev',
    'micro-credential': 'Mikrokvalifikasjon',
    recognition: 'Godkjenning av utanlandsk utdanning'
  }
}

const en: Texts = {
  portal: 'Diploma portal',
  tagline: 'All your results from every institution, fetched from them and verified.',
  landingPoints: ['See diplomas, courses and trade certificates from universities, colleges and counties in one place.', 'Share chosen results with an employer by link and access code.', 'See who has read your data, and why.'],
  signIn: 'Sign in',
  myResults: 'My results',
  resultsHeading: 'Results',
  myShares: 'My shares',
  accessLog: 'Who saw my data',
  sources: 'The institutions we asked',
  sourcesLead: 'Your results are fetched directly from the institutions every time you open this page.',
  statusOk: 'answered',
  statusUnavailable: 'is not available just now',
  statusTimedOut: 'did not answer in time',
  statusRefused: 'refused the request',
  statusFailed: 'answered with an error',
  resultCount: (n) => n === 1 ? '1 result' : `${n} results`,
  indexDown: 'The national index did not answer, so we do not know where your results are. Try again later.',
  partialNotice: 'Some institutions did not answer. Their results are missing from the list; try again later.',
  noResults: 'We found no results.',
  grade: 'Grade',
  credits: 'Credits (ECTS)',
  date: 'Date',
  issuer: 'Issuer',
  term: 'Term',
  verified: 'Verified',
  notVerified: 'Not verified',
  verifiedExplain: 'The institution\'s signature and the entry in the institution\'s log have been checked.',
  notVerifiedExplain: 'This result did not pass the checks and cannot be shared.',
  issuedBy: 'issued by',
  annulled: 'annulled',
  corrected: 'corrected',
  parts: (n) => n === 1 ? '1 part' : `${n} parts`,
  shareHeading: 'Share results',
  shareLead: 'Choose the results you want to share. The recipient gets a link and an access code and sees only what you choose.',
  pickResults: 'Choose results to share',
  pickAtLeastOne: 'Choose at least one result.',
  recipient: 'Who are you sharing with?',
  recipientHint: 'For example the employer\'s name. Only you see this.',
  recipientMissing: 'Say who you are sharing with.',
  expires: 'Valid until and including',
  expiresHint: (d) => `At most ${d} days ahead.`,
  expiresInvalid: (d) => `Choose a date from today and at most ${d} days ahead.`,
  maxUses: 'How many times may the share be opened?',
  maxUsesHint: '0 means no limit.',
  maxUsesInvalid: 'Enter a number from 0 to 1000.',
  shareLanguage: 'Language for the recipient',
  shareLanguageHint: 'The page the recipient opens, and the PDF, are in this language.',
  showBirthDate: 'Show my birth date',
  showBirthDateHint: 'Without this the recipient sees only your name.',
  createShare: 'Create share',
  formHasErrors: 'The form has errors. Correct them and try again.',
  shareCreated: 'The share has been created',
  shareLink: 'Link',
  shareCode: 'Access code',
  shareCodeOnce: 'Write the code down now: it is shown this once only. Give the link and the code to the recipient.',
  shareWhatTheySee: (lang, birth) => `The recipient sees the page in ${lang}, with your name${birth ? ' and your birth date' : ' (not your birth date)'}.`,
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Could not copy. Select the text and copy it yourself.',
  noShares: 'You have no shares.',
  revoke: 'Revoke',
  revokeConfirmTitle: 'Revoke the share?',
  revokeConfirmText: (r) => `The link you gave to “${r}” stops working at once. This cannot be undone.`,
  revokeConfirm: 'Yes, revoke',
  cancel: 'Cancel',
  revokedDone: (r) => `The share with “${r}” has been revoked. The link no longer works.`,
  uses: 'Opened',
  usesOf: (u, m) => m > 0 ? `${u} of ${m} times` : (u === 1 ? 'once' : `${u} times`),
  state: 'State',
  created: 'Created',
  openings: 'Openings',
  noOpenings: 'Not opened yet.',
  stateActive: 'active',
  stateRevoked: 'revoked',
  stateExpired: 'expired',
  stateExhausted: 'used up',
  stateLocked: 'locked (too many wrong codes)',
  openingGranted: (n) => `opened (time ${n})`,
  openingWrongCode: 'attempt with a wrong code',
  openingLocked: 'locked after too many wrong codes',
  language: 'Language',
  languageNames: { nb: 'Norwegian (Bokmål)', nn: 'Norwegian (Nynorsk)', en: 'English' },
  shareFor: 'Results shared with you',
  shareCodeLead: 'Someone has shared results from the Diploma portal with you. Enter the access code you were given with the link.',
  enterCode: 'Access code',
  enterCodeHint: 'Ten characters, for example ABCDE-12345.',
  open: 'Open',
  sharedBy: 'Shared by',
  born: 'born',
  sharedWith: 'Shared with',
  openedAt: 'Opened',
  downloadBundle: 'Download the proof (JSON)',
  downloadPdf: 'Download signed PDF',
  downloadsHeading: 'Download',
  pdfSigned: (s) => `The PDF is signed electronically by ${s}, and the proof is attached to it.`,
  pdfUnsigned: 'The PDF is not signed on this node; use the proof to check the results.',
  whatWasChecked: 'What was checked',
  checkedList: [
    'Each result is signed by the institution\'s node, as the federation\'s list of members names it.',
    'Each result is in the institution\'s open log (a Merkle tree), and the log\'s checkpoint is signed by the institution and confirmed by other members.',
    'The results are about the person who shared them.',
    'The results were fetched from the institutions just now, so corrections and annulments show.'
  ],
  checkYourselfHeading: 'Check it yourself',
  checkInBrowser: 'You do not have to trust this page. Drop the proof or the PDF into the checker, which runs in your browser without uploading anything:',
  checkInBrowserLink: 'Check the proof in your browser',
  askWallet: 'If the candidate holds the results in their EU wallet, you can also ask the wallet for a credential directly.',
  askWalletLink: 'Ask the wallet for a credential',
  checkWithTool: 'Or with the lifelong command-line tool: pin the federation\'s trust anchor once (compare its fingerprint with the one the operator publishes),',
  anchorFingerprint: 'Trust anchor fingerprint',
  thenVerify: 'and check the proof:',
  proofHoldsSigned: 'The proof holds the results as the institution signed them, with name and birth date.',
  devIssuerTitle: 'DEVELOPMENT SIGN-IN – not the real ID-porten',
  devIssuerExplain: 'This is the local federation\'s development issuer. It signs in made-up sample people without any check. It exists only in test and demo federations.',
  chooseLearner: 'Choose a sample person',
  signInAs: 'Sign in as',
  flaggedReason: 'Reason',
  foreignResults: 'Results imported from abroad (EMREX)',
  foreignExplain: 'Not verified by the federation: they come from a foreign institution, and their signature was checked against that institution\'s registered certificate.',
  foreignFailed: 'Your results imported from abroad could not be read just now.',
  imported: 'Imported',
  importedFrom: (p, c, d) => `from ${p} (${c}), received ${d}`,
  provenance: 'Provenance and signature',
  moreActions: 'More you can do',
  fetchAbroad: 'Fetch results from a foreign institution (EMREX)',
  addToWallet: 'Put results in your EU digital identity wallet',
  signingIn: 'Signing in …',
  continue: 'Continue',
  transcript: 'Transcript',
  pdfProofAttached: (u) => `The proof of these results is attached to this PDF (results-proof.json). Check it without trusting the portal: drop the PDF into the checker at ${u}, or run lifelong verify results-proof.json.`,
  proofSha: 'Proof file SHA-256',
  pageOf: (n, m) => `Page ${n} of ${m}`,
  gradeValues: { passed: 'passed', failed: 'failed', 'passed-with-distinction': 'passed with distinction' },
  components: { standpunkt: 'coursework', 'exam-written': 'written exam', 'exam-oral': 'oral exam', 'exam-practical': 'practical exam' },
  kinds: {
    'course-result': 'Course',
    diploma: 'Diploma',
    qualification: 'Qualification',
    'upper-secondary-diploma': 'Upper secondary diploma',
    'upper-secondary-certificate': 'Certificate of competence',
    'trade-certificate': 'Trade certificate',
    'micro-credential': 'Micro-credential',
    recognition: 'Recognition of foreign education'
  }
}

export const TEXTS: ByLang<Texts> = { nb, nn, en }

export function textsOf (lang: Lang): Texts {
  return TEXTS[lang]
}
