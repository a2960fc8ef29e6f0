/**
 * The texts of the page shell (header, navigation, language switch, sign-in and sign-out) and of
 * the error page, in Bokmål, Nynorsk and English. Each page's own texts live beside it
 * (src/edges/portal/i18n.ts, src/edges/bridges/texts.ts).
 */
import type { ErrorCode } from '../../core/errors.ts'
import type { ByLang, Lang } from './lang.ts'

export interface ShellTexts {
  skip: string
  languages: string
  mainMenu: string
  account: string
  signIn: string
  signOut: string
  signOutEverywhere: string
  signOutEverywhereHint: string
  signedInAs: string
  development: string
}

export const SHELL_TEXTS: ByLang<ShellTexts> = {
  nb: {
    skip: 'Hopp til innholdet',
    languages: 'Språk',
    mainMenu: 'Hovedmeny',
    account: 'Innlogging',
    signIn: 'Logg inn',
    signOut: 'Logg ut',
    signOutEverywhere: 'Logg ut overalt',
    signOutEverywhereHint: 'Avslutter innloggingen din i alle nettlesere, også denne',
    signedInAs: 'Innlogget som',
    development: 'Utviklingsversjon – ikke i bruk for ekte data'
  },
  nn: {
    skip: 'Hopp til innhaldet',
    languages: 'Språk',
    mainMenu: 'Hovudmeny',
    account: 'Innlogging',
    signIn: 'Logg inn',
    signOut: 'Logg ut',
    signOutEverywhere: 'Logg ut overalt',
    signOutEverywhereHint: 'Avsluttar innlogginga di i alle nettlesarar, også denne',
    signedInAs: 'Innlogga som',
    development: 'Utviklingsversjon – ikkje i bruk for ekte data'
  },
  en: {
    skip: 'Skip to content',
    languages: 'Language',
    mainMenu: 'Main menu',
    account: 'Sign-in',
    signIn: 'Sign in',
    signOut: 'Sign out',
    signOutEverywhere: 'Sign out everywhere',
    signOutEverywhereHint: 'Ends your sign-in in every browser, this one included',
    signedInAs: 'Signed in as',
    development: 'Development version – not for real data'
  }
}

/** The name of each language in itself, for the language switch. */
export const LANGUAGE_NAMES: ByLang<string> = { nb: 'Bokmål', nn: 'Nynorsk', en: 'English' }

export interface ErrorPageTexts {
  title: string
  code: string
  back: string
  home: string
  details: string
  /** What went wrong, by HTTP status, when the code has no text of its own. */
  byStatus: (status: number) => string
}

export const ERROR_PAGE_TEXTS: ByLang<ErrorPageTexts> = {
  nb: {
    title: 'Noe gikk galt',
    code: 'Feilkode',
    back: 'Tilbake',
    home: 'Til forsiden',
    details: 'Tekniske detaljer (på engelsk)',
    byStatus: (s) =>
      s === 404 ?
        'Vi finner ikke siden du ba om.'
        : s === 401 || s === 403 ?
        'Du har ikke tilgang til dette.'
        : s === 410 ?
        'Dette finnes ikke lenger.'
        : s === 429 ?
        'Det har kommet for mange forespørsler. Vent litt og prøv igjen.'
        : s >= 500 ?
        'Det oppstod en feil hos oss. Prøv igjen om litt.'
        : 'Forespørselen kunne ikke behandles. Sjekk det du fylte inn og prøv igjen.'
  },
  nn: {
    title: 'Noko gjekk gale',
    code: 'Feilkode',
    back: 'Tilbake',
    home: 'Til framsida',
    details: 'Tekniske detaljar (på engelsk)',
    byStatus: (s) =>
      s === 404 ?
        'Vi finn ikkje sida du bad om.'
        : s === 401 || s === 403 ?
        'Du har ikkje tilgang til dette.'
        : s === 410 ?
        'Dette finst ikkje lenger.'
        : s === 429 ?
        'Det har kome for mange førespurnader. Vent litt og prøv igjen.'
        : s >= 500 ?
        'Det oppstod ein feil hos oss. Prøv igjen om litt.'
        : 'Førespurnaden kunne ikkje handsamast. Sjekk det du fylte inn og prøv igjen.'
  },
  en: {
    title: 'Something went wrong',
    code: 'Error code',
    back: 'Back',
    home: 'To the front page',
    details: 'Technical details',
    byStatus: (s) =>
      s === 404 ?
        'We cannot find the page you asked for.'
        : s === 401 || s === 403 ?
        'You do not have access to this.'
        : s === 410 ?
        'This no longer exists.'
        : s === 429 ?
        'There have been too many requests. Wait a little and try again.'
        : s >= 500 ?
        'Something failed on our side. Try again in a little while.'
        : 'The request could not be handled. Check what you filled in and try again.'
  }
}

/** An error explained to a person: what happened, and where to go from here (a path on this node). */
export interface ErrorExplanation {
  text: string
  /** A better way back than the previous page, with its link text. */
  next?: { href: string, label: string }
}

type Explain = (lang: Lang) => ErrorExplanation

const t3 = (nb: string, nn: string, en: string): ByLang<string> => ({ nb, nn, en })
const say = (text: ByLang<string>, next?: { href: string, label: ByLang<string> }): Explain => (lang) => ({ text: text[lang], ...(next === undefined ? {} : { next: { href: next.href, label: next.label[lang] } }) })

const TO_RESULTS = { href: '/portal/results', label: t3('Til Mine resultater', 'Til Mine resultat', 'To My results') }
const SIGN_IN_AGAIN = { href: '/portal/login', label: t3('Logg inn på nytt', 'Logg inn på nytt', 'Sign in again') }
const TO_IMPORT = { href: '/emrex/import', label: t3('Tilbake til henting fra utlandet', 'Tilbake til henting frå utlandet', 'Back to fetching results from abroad') }
const TO_WALLET = { href: '/portal/wallet', label: t3('Tilbake til lommeboka', 'Tilbake til lommeboka', 'Back to the wallet page') }
const ASK_WALLET = { href: '/share/wallet', label: t3('Lag en ny forespørsel', 'Lag ein ny førespurnad', 'Make a new request') }
const SHARE_GONE = t3('Be personen som delte resultatene om en ny lenke.', 'Be personen som delte resultata, om ei ny lenkje.', 'Ask the person who shared the results for a new link.')

/**
 * What each stable error code means to the person who met it, in their language. A code without
 * an explanation gets its HTTP status's ({@link ErrorPageTexts.byStatus}); the code itself is
 * always shown, to quote when asking for help.
 */
export const ERROR_EXPLANATIONS: Readonly<Partial<Record<ErrorCode, Explain>>> = {
  HTTP_ROUTE_NOT_FOUND: say(
    t3('Vi finner ikke siden du ba om. Sjekk adressen, eller gå til forsiden.', 'Vi finn ikkje sida du bad om. Sjekk adressa, eller gå til framsida.', 'We cannot find the page you asked for. Check the address, or go to the front page.')
  ),
  HTTP_REQUEST_INVALID: say(
    t3('Lenken eller skjemaet var ikke fullstendig. Gå tilbake og prøv igjen.', 'Lenkja eller skjemaet var ikkje fullstendig. Gå tilbake og prøv igjen.', 'The link or the form was not complete. Go back and try again.')
  ),
  HTTP_BODY_TOO_LARGE: say(t3('Det du sendte var for stort.', 'Det du sende, var for stort.', 'What you sent was too large.')),
  HTTP_RATE_LIMITED: say(
    t3(
      'Det har kommet for mange forsøk fra deg på kort tid. Vent et minutt og prøv igjen.',
      'Det har kome for mange forsøk frå deg på kort tid. Vent eit minutt og prøv igjen.',
      'There have been too many attempts from you in a short time. Wait a minute and try again.'
    )
  ),
  INTERNAL: say(t3('Det oppstod en feil hos oss. Prøv igjen om litt.', 'Det oppstod ein feil hos oss. Prøv igjen om litt.', 'Something failed on our side. Try again in a little while.')),
  HTTP_CSRF_ORIGIN_REFUSED: say(
    t3(
      'Skjemaet kom ikke fra denne tjenesten, så vi har ikke gjort noe. Åpne siden på nytt og prøv igjen.',
      'Skjemaet kom ikkje frå denne tenesta, så vi har ikkje gjort noko. Opne sida på nytt og prøv igjen.',
      'The form did not come from this service, so nothing was done. Open the page again and try again.'
    )
  ),
  HTTP_CSRF_TOKEN_INVALID: say(
    t3(
      'Skjemaet var gammelt (kanskje logget du inn på nytt i en annen fane), så vi har ikke gjort noe. Åpne siden på nytt og prøv igjen.',
      'Skjemaet var gammalt (kanskje logga du inn på nytt i ei anna fane), så vi har ikkje gjort noko. Opne sida på nytt og prøv igjen.',
      'The form was out of date (perhaps you signed in again in another tab), so nothing was done. Open the page again and try again.'
    )
  ),
  AUTH_SIGN_IN_REQUIRED: say(t3('Du må logge inn først.', 'Du må logge inn først.', 'You need to sign in first.'), SIGN_IN_AGAIN),
  // The institution workbench (docs/WORKBENCH.md).
  WORKBENCH_SIGN_IN_REQUIRED: say(t3('Du må logge inn på arbeidsbenken først.', 'Du må logge inn på arbeidsbenken først.', 'You need to sign in to the workbench first.')),
  WORKBENCH_NOT_STAFF: say(
    t3(
      'Du er logget inn, men står ikke på listen over ansatte som kan bruke arbeidsbenken. Be den som drifter noden, om å legge deg til.',
      'Du er logga inn, men står ikkje på lista over tilsette som kan bruke arbeidsbenken. Be den som driftar noden, om å leggje deg til.',
      'You are signed in, but you are not on the list of staff who may use the workbench. Ask whoever runs the node to add you.'
    )
  ),
  WORKBENCH_ROLE_MISSING: say(
    t3(
      'Rollen din gir ikke lov til dette. Ingenting er endret. Be den som drifter noden, om en annen rolle hvis du trenger det.',
      'Rolla di gir ikkje lov til dette. Ingenting er endra. Be den som driftar noden, om ei anna rolle dersom du treng det.',
      'Your role does not allow this. Nothing was changed. Ask whoever runs the node for another role if you need it.'
    )
  ),
  WORKBENCH_UPLOAD_INVALID: say(t3('Velg en fil (UTF-8-tekst) og prøv igjen. Ingenting er importert.', 'Vel ei fil (UTF-8-tekst) og prøv igjen. Ingenting er importert.', 'Choose a file (UTF-8 text) and try again. Nothing was imported.')),
  WORKBENCH_IMPORT_RUNNING: say(t3('En import av samme slag pågår. Vent til den er ferdig.', 'Ein import av same slag går føre seg. Vent til han er ferdig.', 'An import of the same kind is running. Wait until it is done.')),
  AUTH_SIGN_IN_INVALID: say(
    t3(
      'Innloggingen tok for lang tid eller ble startet i en annen nettleser. Logg inn på nytt.',
      'Innlogginga tok for lang tid eller vart starta i ein annan nettlesar. Logg inn på nytt.',
      'The sign-in took too long or was started in another browser. Sign in again.'
    ),
    SIGN_IN_AGAIN
  ),
  AUTH_SIGN_IN_REFUSED: say(t3('Innloggingstjenesten avbrøt innloggingen.', 'Innloggingstenesta avbraut innlogginga.', 'The sign-in service stopped the sign-in.'), SIGN_IN_AGAIN),
  AUTH_TOKEN_REQUEST_FAILED: say(
    t3('Vi fikk ikke fullført innloggingen hos innloggingstjenesten. Prøv igjen.', 'Vi fekk ikkje fullført innlogginga hos innloggingstenesta. Prøv igjen.', 'We could not complete the sign-in with the sign-in service. Try again.'),
    SIGN_IN_AGAIN
  ),
  AUTH_SIGN_IN_TOKEN_INVALID: say(t3('Innloggingen kunne ikke kontrolleres. Prøv igjen.', 'Innlogginga kunne ikkje kontrollerast. Prøv igjen.', 'The sign-in could not be checked. Try again.'), SIGN_IN_AGAIN),
  AUTH_UNKNOWN_CLIENT: say(
    t3(
      'Innloggingslenken er ikke gyldig for denne tjenesten. Start innloggingen fra Vitnemålsportalen.',
      'Innloggingslenkja er ikkje gyldig for denne tenesta. Start innlogginga frå Vitnemålsportalen.',
      'The sign-in link is not valid for this service. Start signing in from the Diploma portal.'
    ),
    SIGN_IN_AGAIN
  ),
  AUTH_NO_LEARNER: say(
    t3(
      'Innloggingen sier ikke hvem du er (verken fødselsnummer eller utdannings-ID).',
      'Innlogginga seier ikkje kven du er (verken fødselsnummer eller utdannings-ID).',
      'The sign-in does not say who you are (neither a national ID nor an education ID).'
    )
  ),
  SHARE_LINK_INVALID: say(
    t3(
      'Delingslenken er ikke hel. Sjekk at du har fått med hele lenken (26 tegn etter /share/), eller be om lenken på nytt.',
      'Delingslenkja er ikkje heil. Sjekk at du har fått med heile lenkja (26 teikn etter /share/), eller be om lenkja på nytt.',
      'The share link is not complete. Check that you have the whole link (26 characters after /share/), or ask for the link again.'
    )
  ),
  SHARE_VISIT_ENDED: say(
    t3(
      'Åpne delingen med tilgangskoden først. Etter en stund må koden skrives inn på nytt.',
      'Opne delinga med tilgangskoden først. Etter ei stund må koden skrivast inn på nytt.',
      'Open the share with its access code first. After a while the code must be entered again.'
    )
  ),
  SHARE_NOT_FOUND: say(
    t3('Vi finner ingen deling med denne lenken. Sjekk at du har fått med hele lenken.', 'Vi finn inga deling med denne lenkja. Sjekk at du har fått med heile lenkja.', 'We find no share with this link. Check that you have the whole link.')
  ),
  SHARE_WRONG_CODE: say(t3('Tilgangskoden er ikke riktig. Sjekk koden og prøv igjen.', 'Tilgangskoden er ikkje rett. Sjekk koden og prøv igjen.', 'The access code is not right. Check the code and try again.')),
  SHARE_LOCKED: say(
    t3(
      `Delingen er låst fordi det er prøvd feil kode for mange ganger. ${SHARE_GONE.nb}`,
      `Delinga er låst fordi det er prøvd feil kode for mange gonger. ${SHARE_GONE.nn}`,
      `The share is locked because a wrong code was tried too many times. ${SHARE_GONE.en}`
    )
  ),
  SHARE_REVOKED: say(
    t3(
      `Personen som delte resultatene, har trukket delingen tilbake. ${SHARE_GONE.nb}`,
      `Personen som delte resultata, har trekt delinga tilbake. ${SHARE_GONE.nn}`,
      `The person who shared the results has revoked the share. ${SHARE_GONE.en}`
    )
  ),
  SHARE_EXPIRED: say(t3(`Delingen er utløpt. ${SHARE_GONE.nb}`, `Delinga har gått ut. ${SHARE_GONE.nn}`, `The share has expired. ${SHARE_GONE.en}`)),
  SHARE_EXHAUSTED: say(
    t3(
      `Delingen er åpnet så mange ganger som personen som delte den, tillot. ${SHARE_GONE.nb}`,
      `Delinga er opna så mange gonger som personen som delte ho, tillét. ${SHARE_GONE.nn}`,
      `The share has been opened as many times as the person who shared it allowed. ${SHARE_GONE.en}`
    )
  ),
  SHARE_INVALID: say(t3('Delingen kunne ikke lages. Sjekk skjemaet.', 'Delinga kunne ikkje lagast. Sjekk skjemaet.', 'The share could not be created. Check the form.'), TO_RESULTS),
  PORTAL_NOT_YOUR_RESULT: say(t3('Du kan bare dele dine egne kontrollerte resultater.', 'Du kan berre dele dine eigne kontrollerte resultat.', 'You can share only your own verified results.'), TO_RESULTS),
  PORTAL_SOURCE_UNAVAILABLE: say(
    t3('Et lærested svarte ikke akkurat nå. Prøv igjen om litt.', 'Ein lærestad svarte ikkje akkurat no. Prøv igjen om litt.', 'An institution did not answer just now. Try again in a little while.'),
    TO_RESULTS
  ),
  PORTAL_RESULT_KEY_INVALID: say(t3('Et av de valgte resultatene finnes ikke. Velg på nytt.', 'Eitt av dei valde resultata finst ikkje. Vel på nytt.', 'One of the chosen results does not exist. Choose again.'), TO_RESULTS),
  PORTAL_LEARNER_UNKNOWN: say(
    t3(
      'Den nasjonale indeksen kjenner deg ikke ennå: ingen lærested har meldt inn resultater for deg.',
      'Den nasjonale indeksen kjenner deg ikkje enno: ingen lærestad har meldt inn resultat for deg.',
      'The national index does not know you yet: no institution has reported results for you.'
    ),
    TO_RESULTS
  ),
  PORTAL_LEARNER_NEVER_SIGNED_IN: say(
    t3(
      'Du må logge inn i Vitnemålsportalen én gang før resultatene dine kan sendes videre.',
      'Du må logge inn i Vitnemålsportalen éin gong før resultata dine kan sendast vidare.',
      'You need to sign in to the Diploma portal once before your results can be passed on.'
    ),
    SIGN_IN_AGAIN
  ),
  EUDI_AUTHORIZATION_REQUEST_INVALID: say(
    t3(
      'Forespørselen fra lommeboka er ukjent, utløpt eller allerede brukt. Start på nytt fra lommeboka.',
      'Førespurnaden frå lommeboka er ukjend, har gått ut eller er alt brukt. Start på nytt frå lommeboka.',
      'The wallet\'s request is unknown, has expired or has already been used. Start again from the wallet.'
    )
  ),
  EUDI_OFFER_NOT_YOURS: say(
    t3(
      'Tilbudet til lommeboka ble laget for en annen person. Logg inn som den personen, eller lag ditt eget tilbud.',
      'Tilbodet til lommeboka vart laga for ein annan person. Logg inn som den personen, eller lag ditt eige tilbod.',
      'The wallet offer was made for someone else. Sign in as them, or make an offer of your own.'
    ),
    TO_WALLET
  ),
  EUDI_NOTHING_CHOSEN: say(t3('Velg minst ett resultat.', 'Vel minst eitt resultat.', 'Choose at least one result.'), TO_WALLET),
  EUDI_PRESENTATION_NOT_FOUND: say(
    t3(
      'Vi finner ingen slik forespørsel til en lommebok i denne nettleseren. Den kan være besvart eller utløpt, eller laget i en annen nettleser. Lag en ny forespørsel.',
      'Vi finn ingen slik førespurnad til ei lommebok i denne nettlesaren. Han kan vere svart på eller ha gått ut, eller vere laga i ein annan nettlesar. Lag ein ny førespurnad.',
      'We find no such request to a wallet in this browser. It may have been answered or have expired, or been made in another browser. Make a new request.'
    ),
    ASK_WALLET
  ),
  EUDI_RESULT_NOT_FOUND: say(
    t3(
      'Et av resultatene du valgte, er ikke blant dine gyldige resultater lenger. Velg på nytt.',
      'Eitt av resultata du valde, er ikkje blant dei gyldige resultata dine lenger. Vel på nytt.',
      'One of the results you chose is no longer among your valid results. Choose again.'
    ),
    TO_WALLET
  ),
  EMREX_LEARNER_MISMATCH: say(
    t3(
      'Resultatene fra utlandet gjelder en annen person enn deg: navnet eller fødselsdatoen hos lærestedet i utlandet stemmer ikke med innloggingen din. Vi har ikke lagret noe. Logg inn hos lærestedet i utlandet som deg selv og prøv igjen, eller kontakt lærestedet hvis navnet ditt er skrevet annerledes der.',
      'Resultata frå utlandet gjeld ein annan person enn deg: namnet eller fødselsdatoen hos lærestaden i utlandet stemmer ikkje med innlogginga di. Vi har ikkje lagra noko. Logg inn hos lærestaden i utlandet som deg sjølv og prøv igjen, eller kontakt lærestaden dersom namnet ditt er skrive annleis der.',
      'The results from abroad are about someone else: the name or birth date at the foreign institution does not match your sign-in. Nothing was saved. Sign in at the foreign institution as yourself and try again, or contact the institution if your name is spelt differently there.'
    ),
    TO_IMPORT
  ),
  EMREX_SESSION_UNKNOWN: say(t3('Vi fant ikke hentingen du kom tilbake fra. Start på nytt.', 'Vi fann ikkje hentinga du kom tilbake frå. Start på nytt.', 'We could not find the import you came back from. Start again.'), TO_IMPORT),
  EMREX_SESSION_EXPIRED: say(t3('Hentingen tok for lang tid. Start på nytt.', 'Hentinga tok for lang tid. Start på nytt.', 'The import took too long. Start again.'), TO_IMPORT),
  EMREX_SESSION_USED: say(t3('Denne hentingen er allerede fullført.', 'Denne hentinga er allereie fullført.', 'This import has already been completed.'), TO_IMPORT),
  EMREX_IMPORT_RATE_LIMITED: say(
    t3(
      'Du har hentet resultater mange ganger på kort tid. Vent litt og prøv igjen.',
      'Du har henta resultat mange gonger på kort tid. Vent litt og prøv igjen.',
      'You have fetched results many times in a short time. Wait a little and try again.'
    ),
    TO_IMPORT
  ),
  EMREX_PROVIDER_UNKNOWN: say(t3('Vi kjenner ikke lærestedet du valgte.', 'Vi kjenner ikkje lærestaden du valde.', 'We do not know the institution you chose.'), TO_IMPORT),
  EMREX_IMPORT_UNKNOWN: say(t3('Vi finner ikke denne hentingen.', 'Vi finn ikkje denne hentinga.', 'We cannot find this import.'), TO_RESULTS),
  EMREX_TRANSFER_UNKNOWN: say(
    t3('Vi finner ikke overføringen. Start på nytt fra lærestedet i utlandet.', 'Vi finn ikkje overføringa. Start på nytt frå lærestaden i utlandet.', 'We cannot find the transfer. Start again from the foreign institution.')
  ),
  EMREX_TRANSFER_EXPIRED: say(
    t3('Overføringen tok for lang tid. Start på nytt fra lærestedet i utlandet.', 'Overføringa tok for lang tid. Start på nytt frå lærestaden i utlandet.', 'The transfer took too long. Start again from the foreign institution.')
  ),
  EMREX_TRANSFER_USED: say(t3('Denne overføringen er allerede sendt.', 'Denne overføringa er allereie send.', 'This transfer has already been sent.')),
  EMREX_TRANSFER_FORBIDDEN: say(
    t3('Overføringen ble startet i en annen nettleser eller av en annen person.', 'Overføringa vart starta i ein annan nettlesar eller av ein annan person.', 'The transfer was started in another browser or by someone else.')
  ),
  EMREX_CLIENT_UNKNOWN: say(t3('Tjenesten som sendte deg hit, er ikke registrert hos oss.', 'Tenesta som sende deg hit, er ikkje registrert hos oss.', 'The service that sent you here is not registered with us.')),
  EMREX_RETURN_URL_INVALID: say(t3('Tjenesten som sendte deg hit, er ikke registrert hos oss.', 'Tenesta som sende deg hit, er ikkje registrert hos oss.', 'The service that sent you here is not registered with us.')),
  ELMO_SIGNATURE_INVALID: say(
    t3(
      'Resultatene fra utlandet hadde ikke en gyldig signatur fra lærestedet. Vi har ikke lagret noe.',
      'Resultata frå utlandet hadde ikkje ein gyldig signatur frå lærestaden. Vi har ikkje lagra noko.',
      'The results from abroad did not carry a valid signature of the institution. Nothing was saved.'
    ),
    TO_IMPORT
  ),
  OOTS_PREVIEW_NOT_FOUND: say(t3('Vi finner ingen slik forespørsel til deg.', 'Vi finn ingen slik førespurnad til deg.', 'We find no such request for you.'), TO_RESULTS),
  OOTS_PREVIEW_EXPIRED: say(
    t3('Forespørselen er utløpt. Start på nytt hos myndigheten som spurte.', 'Førespurnaden har gått ut. Start på nytt hos styresmakta som spurde.', 'The request has expired. Start again at the authority that asked.')
  ),
  OOTS_PREVIEW_DECIDED: say(t3('Du har allerede svart på denne forespørselen.', 'Du har allereie svart på denne førespurnaden.', 'You have already answered this request.')),
  OOTS_PREVIEW_NOTHING_CHOSEN: say(
    t3('Velg minst ett resultat for å godkjenne, eller avslå forespørselen.', 'Vel minst eitt resultat for å godkjenne, eller avslå førespurnaden.', 'Choose at least one result to approve, or refuse the request.')
  ),
  OOTS_DECISIONS_RATE_LIMITED: say(
    t3('Du har svart på mange forespørsler på kort tid. Vent litt og prøv igjen.', 'Du har svart på mange førespurnader på kort tid. Vent litt og prøv igjen.', 'You have answered many requests in a short time. Wait a little and try again.')
  )
}

/** The explanation of an error code in a language: its own, or its status's. */
export function explainError (code: string, status: number, lang: Lang): ErrorExplanation {
  return ERROR_EXPLANATIONS[code as ErrorCode]?.(lang) ?? { text: ERROR_PAGE_TEXTS[lang].byStatus(status) }
}
