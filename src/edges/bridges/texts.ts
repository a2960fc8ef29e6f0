/**
 * The texts of the bridges' pages on the portal (the wallet offer, the OOTS preview, EMREX), in
 * Bokmål, Nynorsk and English. Grades, dates and credits are written by src/edges/ui/format.ts.
 */
import type { ByLang } from '../ui/lang.ts'

export interface WalletTexts {
  title: string
  lead: string
  pick: string
  pickAtLeastOne: string
  noResults: string
  createOffer: string
  offerTitle: string
  scan: string
  openHere: string
  txCode: string
  txCodeHint: string
  validUntil: (when: string) => string
  inOffer: string
  back: string
  grantLegend: string
  grantPreAuthorized: string
  grantAuthorizationCode: string
  signInFromWallet: string
  correctedTitle: string
  correctedLead: string
  correctedGet: string
  correctedMark: string
  consentTitle: string
  consentWallet: string
  consentAnswerTo: string
  consentOffer: string
  consentPick: string
  consentNoneOfType: string
  consentApprove: string
  consentRefuse: string
}

export const WALLET_TEXTS: ByLang<WalletTexts> = {
  nb: {
    title: 'Legg resultater i EU-lommeboka',
    lead: 'Velg resultatene du vil ha som bevis i den digitale EU-lommeboka di. Du får en QR-kode å skanne med lommeboka og en engangskode.',
    pick: 'Velg resultater',
    pickAtLeastOne: 'Velg minst ett resultat.',
    noResults: 'Du har ingen gyldige resultater å legge i lommeboka.',
    createOffer: 'Lag tilbud til lommeboka',
    offerTitle: 'Skann med EU-lommeboka',
    scan: 'Skann QR-koden med lommeboka på telefonen din.',
    openHere: 'Åpne i lommeboka på denne enheten',
    txCode: 'Engangskode',
    txCodeHint: 'Lommeboka spør etter koden. Ikke vis den til andre.',
    validUntil: (w) => `Tilbudet gjelder til ${w}.`,
    inOffer: 'Dette er med i tilbudet:',
    back: 'Tilbake til Mine resultater',
    grantLegend: 'Hvordan lommeboka henter bevisene',
    grantPreAuthorized: 'Med en engangskode som vises her',
    grantAuthorizationCode: 'Jeg logger inn fra lommeboka',
    signInFromWallet: 'Lommeboka sender deg hit for å logge inn og godkjenne.',
    correctedTitle: 'Rettede resultater',
    correctedLead: 'Bevisene for disse resultatene er trukket tilbake fordi resultatet er rettet. Hent de rettede bevisene til lommeboka.',
    correctedGet: 'Hent de rettede bevisene',
    correctedMark: 'Rettet: hent det nye beviset',
    consentTitle: 'Legge resultater i EU-lommeboka?',
    consentWallet: 'Lommeboka som spør',
    consentAnswerTo: 'Svaret sendes til',
    consentOffer: 'Disse resultatene legges i lommeboka:',
    consentPick: 'Velg hva som legges i lommeboka',
    consentNoneOfType: 'Du har ingen resultater av typen lommeboka ber om.',
    consentApprove: 'Godkjenn',
    consentRefuse: 'Avslå'
  },
  nn: {
    title: 'Legg resultat i EU-lommeboka',
    lead: 'Vel resultata du vil ha som prov i den digitale EU-lommeboka di. Du får ein QR-kode å skanne med lommeboka og ein eingongskode.',
    pick: 'Vel resultat',
    pickAtLeastOne: 'Vel minst eitt resultat.',
    noResults: 'Du har ingen gyldige resultat å leggje i lommeboka.',
    createOffer: 'Lag tilbod til lommeboka',
    offerTitle: 'Skann med EU-lommeboka',
    scan: 'Skann QR-koden med lommeboka på telefonen din.',
    openHere: 'Opne i lommeboka på denne eininga',
    txCode: 'Eingongskode',
    txCodeHint: 'Lommeboka spør etter koden. Ikkje vis han til andre.',
    validUntil: (w) => `Tilbodet gjeld til ${w}.`,
    inOffer: 'Dette er med i tilbodet:',
    back: 'Tilbake til Mine resultat',
    grantLegend: 'Korleis lommeboka hentar prova',
    grantPreAuthorized: 'Med ein eingongskode som vert vist her',
    grantAuthorizationCode: 'Eg loggar inn frå lommeboka',
    signInFromWallet: 'Lommeboka sender deg hit for å logge inn og godkjenne.',
    correctedTitle: 'Retta resultat',
    correctedLead: 'Prova for desse resultata er trekte tilbake fordi resultatet er retta. Hent dei retta prova til lommeboka.',
    correctedGet: 'Hent dei retta prova',
    correctedMark: 'Retta: hent det nye provet',
    consentTitle: 'Leggje resultat i EU-lommeboka?',
    consentWallet: 'Lommeboka som spør',
    consentAnswerTo: 'Svaret vert sendt til',
    consentOffer: 'Desse resultata vert lagde i lommeboka:',
    consentPick: 'Vel kva som vert lagt i lommeboka',
    consentNoneOfType: 'Du har ingen resultat av typen lommeboka bed om.',
    consentApprove: 'Godkjenn',
    consentRefuse: 'Avslå'
  },
  en: {
    title: 'Put results in your EU wallet',
    lead: 'Choose the results you want as credentials in your EU digital identity wallet. You get a QR code to scan with the wallet and a one-time code.',
    pick: 'Choose results',
    pickAtLeastOne: 'Choose at least one result.',
    noResults: 'You have no valid results to put in the wallet.',
    createOffer: 'Create the wallet offer',
    offerTitle: 'Scan with your EU wallet',
    scan: 'Scan the QR code with the wallet on your phone.',
    openHere: 'Open in the wallet on this device',
    txCode: 'One-time code',
    txCodeHint: 'The wallet asks for this code. Keep it to yourself.',
    validUntil: (w) => `The offer is valid until ${w}.`,
    inOffer: 'The offer holds:',
    back: 'Back to My results',
    grantLegend: 'How the wallet collects the credentials',
    grantPreAuthorized: 'With a one-time code shown here',
    grantAuthorizationCode: 'I sign in from the wallet',
    signInFromWallet: 'The wallet brings you back here to sign in and approve.',
    correctedTitle: 'Corrected results',
    correctedLead: 'The credentials of these results were revoked because the result was corrected. Get the corrected credentials into your wallet.',
    correctedGet: 'Get the corrected credentials',
    correctedMark: 'Corrected: get the new credential',
    consentTitle: 'Put results in your EU wallet?',
    consentWallet: 'The wallet asking',
    consentAnswerTo: 'The answer goes to',
    consentOffer: 'These results go into the wallet:',
    consentPick: 'Choose what goes into the wallet',
    consentNoneOfType: 'You hold no results of the type the wallet asks for.',
    consentApprove: 'Approve',
    consentRefuse: 'Refuse'
  }
}

export interface OotsTexts {
  asks: (requester: string) => string
  identifiedBy: (gateway: string) => string
  procedure: string
  wouldSend: string
  nothingToSend: string
  close: string
  approve: string
  refuse: string
  approved: string
  refused: string
  returnTo: (requester: string) => string
  notFoundTitle: string
  notFound: string
  decisionTitle: string
  chooseResults: string
  back: string
  ambiguousTitle: string
  /** Paragraphs: why nothing is shown, and what the authority can do. */
  ambiguous: readonly string[]
}

export const OOTS_TEXTS: ByLang<OotsTexts> = {
  nb: {
    asks: (r) => `${r} ber om dokumentasjon av utdanningen din`,
    identifiedBy: (g) => `Identifisert av ${g} som`,
    procedure: 'Saken gjelder',
    wouldSend: 'Hvis du godkjenner, sendes dette (vitnemål som PDF og et signert ELM-bevis):',
    nothingToSend: 'Du har ingen resultater av denne typen, så ingenting kan sendes.',
    close: 'Avslutt forespørselen',
    approve: 'Godkjenn',
    refuse: 'Avslå',
    approved: 'Du har godkjent forespørselen',
    refused: 'Du har avslått forespørselen',
    returnTo: (r) => `Du kan gå tilbake til ${r}.`,
    notFoundTitle: 'Fant ikke forespørselen',
    notFound: 'Vi finner ingen slik forespørsel til deg.',
    decisionTitle: 'Godkjenn deling',
    chooseResults: 'Resultater som sendes',
    back: 'Til Mine resultater',
    ambiguousTitle: 'Forespørselen kan ikke knyttes sikkert til deg',
    ambiguous: [
      'Flere personer i det nasjonale registeret har navnet og fødselsdatoen forespørselen oppgir. Derfor vises ikke hvem som spør eller hva som ville blitt sendt, og ingenting kan sendes herfra.',
      'Myndigheten som spurte, kan sende forespørselen på nytt med eIDAS-identifikatoren din (logg inn med eID i tjenesten deres).'
    ]
  },
  nn: {
    asks: (r) => `${r} bed om dokumentasjon av utdanninga di`,
    identifiedBy: (g) => `Identifisert av ${g} som`,
    procedure: 'Saka gjeld',
    wouldSend: 'Dersom du godkjenner, vert dette sendt (vitnemål som PDF og eit signert ELM-prov):',
    nothingToSend: 'Du har ingen resultat av denne typen, så ingenting kan sendast.',
    close: 'Avslutt førespurnaden',
    approve: 'Godkjenn',
    refuse: 'Avslå',
    approved: 'Du har godkjent førespurnaden',
    refused: 'Du har avslått førespurnaden',
    returnTo: (r) => `Du kan gå tilbake til ${r}.`,
    notFoundTitle: 'Fann ikkje førespurnaden',
    notFound: 'Vi finn ingen slik førespurnad til deg.',
    decisionTitle: 'Godkjenn deling',
    chooseResults: 'Resultat som vert sende',
    back: 'Til Mine resultat',
    ambiguousTitle: 'Førespurnaden kan ikkje knytast sikkert til deg',
    ambiguous: [
      'Fleire personar i det nasjonale registeret har namnet og fødselsdatoen førespurnaden oppgjev. Difor vert det ikkje vist kven som spør eller kva som ville vorte sendt, og ingenting kan sendast herifrå.',
      'Styresmakta som spurde, kan sende førespurnaden på nytt med eIDAS-identifikatoren din (logg inn med eID i tenesta deira).'
    ]
  },
  en: {
    asks: (r) => `${r} asks for evidence of your education`,
    identifiedBy: (g) => `Identified by ${g} as`,
    procedure: 'The case',
    wouldSend: 'If you approve, this is sent (the diploma as a PDF and a sealed ELM credential):',
    nothingToSend: 'You hold no results of this type, so nothing can be sent.',
    close: 'Close the request',
    approve: 'Approve',
    refuse: 'Refuse',
    approved: 'You have approved the request',
    refused: 'You have refused the request',
    returnTo: (r) => `You can return to ${r}.`,
    notFoundTitle: 'Request not found',
    notFound: 'We find no such request for you.',
    decisionTitle: 'Approve sharing',
    chooseResults: 'Results to send',
    back: 'To My results',
    ambiguousTitle: 'The request cannot be tied to you with certainty',
    ambiguous: [
      'Several people in the national register have the name and birth date this request gives. So who asks and what would be sent is not shown, and nothing can be sent from here.',
      'The authority that asked can send the request again with your eIDAS identifier (sign in with your eID in their service).'
    ]
  }
}

export interface EmrexTexts {
  sendTitle: (client: string) => string
  sendLead: (client: string) => string
  noResults: string
  send: string
  cancel: string
  importTitle: string
  importLead: string
  fetchFrom: string
  goToProvider: string
  imported: string
  noImports: string
  importedTitle: string
  alreadyImportedTitle: string
  alreadyImported: (when: string) => string
  cancelledTitle: string
  cancelled: (provider: string) => string
  noResultsTitle: string
  noResultsFrom: (provider: string) => string
  providerErrorTitle: string
  providerError: (provider: string) => string
  from: (provider: string, country: string, when: string) => string
  signatureChecked: string
  warnings: string
  grade: string
  credits: string
  back: string
  toResults: string
  goingTo: (provider: string) => string
  goingToLead: (provider: string) => string
  returning: (client: string) => string
  onTheirWay: (client: string) => string
  continue: string
  now: (successor: string) => string
}

export const EMREX_TEXTS: ByLang<EmrexTexts> = {
  nb: {
    sendTitle: (c) => `Send resultater til ${c}`,
    sendLead: (c) => `Velg hva ${c} skal få: et signert ELMO-dokument med resultatene du velger, og en PDF-utskrift. Overføringen vises under Hvem har sett mine data.`,
    noResults: 'Du har ingen resultater å sende.',
    send: 'Send valgte resultater',
    cancel: 'Avbryt',
    importTitle: 'Hent resultater fra utlandet',
    importLead: 'Hent resultatene dine fra et lærested i utlandet med EMREX. Du logger inn hos lærestedet og velger hva som skal sendes hit.',
    fetchFrom: 'Hent resultater fra',
    goToProvider: 'Gå videre til lærestedet',
    imported: 'Hentet tidligere',
    noImports: 'Du har ikke hentet resultater fra utlandet ennå.',
    importedTitle: 'Resultatene er hentet',
    alreadyImportedTitle: 'Disse resultatene har du allerede',
    alreadyImported: (w) => `Du hentet nøyaktig de samme resultatene ${w}. Ingenting er endret.`,
    cancelledTitle: 'Hentingen er avbrutt',
    cancelled: (p) => `Du avbrøt hos ${p}. Ingenting er hentet.`,
    noResultsTitle: 'Ingen resultater å hente',
    noResultsFrom: (p) => `${p} hadde ingen resultater å sende.`,
    providerErrorTitle: 'Lærestedet svarte med en feil',
    providerError: (p) => `${p} kunne ikke sende resultatene. Prøv igjen senere.`,
    from: (p, c, w) => `Fra ${p} (${c}), mottatt ${w}.`,
    signatureChecked: 'Signaturen er kontrollert mot lærestedets registrerte sertifikat.',
    warnings: 'Godtatt med merknader:',
    grade: 'karakter',
    credits: 'studiepoeng',
    back: 'Tilbake til henting fra utlandet',
    toResults: 'Til Mine resultater',
    goingTo: (p) => `Videre til ${p}`,
    goingToLead: (p) => `Logg inn hos ${p} og velg resultatene du vil hente.`,
    returning: (c) => `Tilbake til ${c}`,
    onTheirWay: (c) => `Resultatene dine er på vei til ${c}.`,
    continue: 'Fortsett',
    now: (s) => `nå ${s}`
  },
  nn: {
    sendTitle: (c) => `Send resultat til ${c}`,
    sendLead: (c) => `Vel kva ${c} skal få: eit signert ELMO-dokument med resultata du vel, og ei PDF-utskrift. Overføringa vert vist under Kven har sett dataa mine.`,
    noResults: 'Du har ingen resultat å sende.',
    send: 'Send valde resultat',
    cancel: 'Avbryt',
    importTitle: 'Hent resultat frå utlandet',
    importLead: 'Hent resultata dine frå ein lærestad i utlandet med EMREX. Du loggar inn hos lærestaden og vel kva som skal sendast hit.',
    fetchFrom: 'Hent resultat frå',
    goToProvider: 'Gå vidare til lærestaden',
    imported: 'Henta tidlegare',
    noImports: 'Du har ikkje henta resultat frå utlandet enno.',
    importedTitle: 'Resultata er henta',
    alreadyImportedTitle: 'Desse resultata har du allereie',
    alreadyImported: (w) => `Du henta nøyaktig dei same resultata ${w}. Ingenting er endra.`,
    cancelledTitle: 'Hentinga er avbroten',
    cancelled: (p) => `Du avbraut hos ${p}. Ingenting er henta.`,
    noResultsTitle: 'Ingen resultat å hente',
    noResultsFrom: (p) => `${p} hadde ingen resultat å sende.`,
    providerErrorTitle: 'Lærestaden svarte med ein feil',
    providerError: (p) => `${p} kunne ikkje sende resultata. Prøv igjen seinare.`,
    from: (p, c, w) => `Frå ${p} (${c}), motteke ${w}.`,
    signatureChecked: 'Signaturen er kontrollert mot det registrerte sertifikatet til lærestaden.',
    warnings: 'Godteke med merknader:',
    grade: 'karakter',
    credits: 'studiepoeng',
    back: 'Tilbake til henting frå utlandet',
    toResults: 'Til Mine resultat',
    goingTo: (p) => `Vidare til ${p}`,
    goingToLead: (p) => `Logg inn hos ${p} og vel resultata du vil hente.`,
    returning: (c) => `Tilbake til ${c}`,
    onTheirWay: (c) => `Resultata dine er på veg til ${c}.`,
    continue: 'Hald fram',
    now: (s) => `no ${s}`
  },
  en: {
    sendTitle: (c) => `Send results to ${c}`,
    sendLead: (c) => `Choose what ${c} receives: a signed ELMO document with the results you choose, and a PDF transcript. The transfer shows under Who saw my data.`,
    noResults: 'You have no results to send.',
    send: 'Send chosen results',
    cancel: 'Cancel',
    importTitle: 'Fetch results from abroad',
    importLead: 'Fetch your results from an institution abroad with EMREX. You sign in at the institution and choose what is sent here.',
    fetchFrom: 'Fetch results from',
    goToProvider: 'Go to the institution',
    imported: 'Fetched before',
    noImports: 'You have not fetched results from abroad yet.',
    importedTitle: 'The results have been fetched',
    alreadyImportedTitle: 'You already have these results',
    alreadyImported: (w) => `You fetched exactly the same results on ${w}. Nothing has changed.`,
    cancelledTitle: 'The import was cancelled',
    cancelled: (p) => `You cancelled at ${p}. Nothing was fetched.`,
    noResultsTitle: 'No results to fetch',
    noResultsFrom: (p) => `${p} had no results to send.`,
    providerErrorTitle: 'The institution answered with an error',
    providerError: (p) => `${p} could not send the results. Try again later.`,
    from: (p, c, w) => `From ${p} (${c}), received ${w}.`,
    signatureChecked: 'The signature was checked against the institution\'s registered certificate.',
    warnings: 'Accepted with remarks:',
    grade: 'grade',
    credits: 'credits',
    back: 'Back to fetching results from abroad',
    toResults: 'To My results',
    goingTo: (p) => `On to ${p}`,
    goingToLead: (p) => `Sign in at ${p} and choose the results to fetch.`,
    returning: (c) => `Back to ${c}`,
    onTheirWay: (c) => `Your results are on their way to ${c}.`,
    continue: 'Continue',
    now: (s) => `now ${s}`
  }
}

export interface PresentationTexts {
  kinds: { diploma: string, 'course-result': string, either: string }
  askTitle: string
  askLead: string
  askWhat: string
  haip: string
  haipHint: string
  make: string
  orShare: string
  scan: string
  openHere: string
  validUntil: (when: string) => string
  waiting: string
  checkNow: string
  verifiedTitle: string
  issuedBy: string
  claims: string
  name: string
  claimTitle: string
  awardedBy: string
  date: string
  otherClaims: string
  checked: string
  refusedTitle: string
  refused: string
  details: string
  expiredTitle: string
  expired: string
  newRequest: string
}

export const PRESENTATION_TEXTS: ByLang<PresentationTexts> = {
  nb: {
    kinds: { diploma: 'Vitnemål', 'course-result': 'Emneresultat', either: 'Vitnemål eller emneresultat' },
    askTitle: 'Be om et bevis fra kandidatens lommebok',
    askLead: 'Kandidaten skanner en QR-kode med EU-lommeboka si og velger selv hva som sendes. Du ser resultatet her, kontrollert mot utstederens nøkkel i føderasjonen.',
    askWhat: 'Hva ber du om?',
    haip: 'Signert forespørsel og kryptert svar (HAIP)',
    haipHint: 'Lommeboka ser at forespørselen kommer fra denne tjenesten, og bare du kan lese svaret.',
    make: 'Lag forespørsel',
    orShare: 'Har du fått en delingslenke og en tilgangskode? Åpne lenken i stedet.',
    scan: 'Kandidaten skanner koden med EU-lommeboka.',
    openHere: 'Åpne i lommeboka på denne enheten',
    validUntil: (w) => `Forespørselen gjelder til ${w}.`,
    waiting: 'Venter på svar fra lommeboka. Siden oppdateres når svaret kommer.',
    checkNow: 'Se om lommeboka har svart',
    verifiedTitle: 'Bekreftet fra lommeboka',
    issuedBy: 'Utstedt av',
    claims: 'Det lommeboka viste',
    name: 'Navn',
    claimTitle: 'Tittel',
    awardedBy: 'Tildelt av',
    date: 'Dato',
    otherClaims: 'Andre opplysninger',
    checked: 'Kontrollert',
    refusedTitle: 'Svaret ble avvist',
    refused: 'Svaret fra lommeboka kunne ikke godtas, så ingenting vises. Lag en ny forespørsel og be kandidaten prøve igjen.',
    details: 'Tekniske detaljer (på engelsk)',
    expiredTitle: 'Forespørselen er utløpt',
    expired: 'Lommeboka svarte ikke i tide.',
    newRequest: 'Lag en ny forespørsel'
  },
  nn: {
    kinds: { diploma: 'Vitnemål', 'course-result': 'Emneresultat', either: 'Vitnemål eller emneresultat' },
    askTitle: 'Be om eit prov frå lommeboka til kandidaten',
    askLead: 'Kandidaten skannar ein QR-kode med EU-lommeboka si og vel sjølv kva som vert sendt. Du ser resultatet her, kontrollert mot nøkkelen til utferdaren i føderasjonen.',
    askWhat: 'Kva bed du om?',
    haip: 'Signert førespurnad og kryptert svar (HAIP)',
    haipHint: 'Lommeboka ser at førespurnaden kjem frå denne tenesta, og berre du kan lese svaret.',
    make: 'Lag førespurnad',
    orShare: 'Har du fått ei delingslenkje og ein tilgangskode? Opne lenkja i staden.',
    scan: 'Kandidaten skannar koden med EU-lommeboka.',
    openHere: 'Opne i lommeboka på denne eininga',
    validUntil: (w) => `Førespurnaden gjeld til ${w}.`,
    waiting: 'Ventar på svar frå lommeboka. Sida vert oppdatert når svaret kjem.',
    checkNow: 'Sjå om lommeboka har svart',
    verifiedTitle: 'Stadfesta frå lommeboka',
    issuedBy: 'Utferda av',
    claims: 'Det lommeboka viste',
    name: 'Namn',
    claimTitle: 'Tittel',
    awardedBy: 'Tildelt av',
    date: 'Dato',
    otherClaims: 'Andre opplysingar',
    checked: 'Kontrollert',
    refusedTitle: 'Svaret vart avvist',
    refused: 'Svaret frå lommeboka kunne ikkje godtakast, så ingenting vert vist. Lag ein ny førespurnad og be kandidaten prøve igjen.',
    details: 'Tekniske detaljar (på engelsk)',
    expiredTitle: 'Førespurnaden har gått ut',
    expired: 'Lommeboka svarte ikkje i tide.',
    newRequest: 'Lag ein ny førespurnad'
  },
  en: {
    kinds: { diploma: 'Diploma', 'course-result': 'Course result', either: 'Diploma or course result' },
    askTitle: 'Ask the candidate\'s wallet for a credential',
    askLead: 'The candidate scans a QR code with their EU wallet and chooses what is sent. You see the outcome here, checked against the issuer\'s key in the federation.',
    askWhat: 'What do you ask for?',
    haip: 'Signed request and encrypted answer (HAIP)',
    haipHint: 'The wallet sees that the request comes from this service, and only you can read the answer.',
    make: 'Make the request',
    orShare: 'Were you given a share link and an access code? Open the link instead.',
    scan: 'The candidate scans this code with their EU wallet.',
    openHere: 'Open in the wallet on this device',
    validUntil: (w) => `The request is valid until ${w}.`,
    waiting: 'Waiting for the wallet\'s answer. This page updates when it arrives.',
    checkNow: 'See whether the wallet has answered',
    verifiedTitle: 'Verified from the wallet',
    issuedBy: 'Issued by',
    claims: 'What the wallet showed',
    name: 'Name',
    claimTitle: 'Title',
    awardedBy: 'Awarded by',
    date: 'Date',
    otherClaims: 'Other details',
    checked: 'Checked',
    refusedTitle: 'The answer was refused',
    refused: 'The wallet\'s answer could not be accepted, so nothing is shown. Make a new request and ask the candidate to try again.',
    details: 'Technical details',
    expiredTitle: 'The request has expired',
    expired: 'The wallet did not answer in time.',
    newRequest: 'Make a new request'
  }
}
