/** The workbench pages' words, in Bokmål, Nynorsk and English. */
import type { ByLang } from '../ui/lang.ts'

type T = ByLang<string>
const t = (nb: string, nn: string, en: string): T => ({ nb, nn, en })

export const TEXTS = {
  home: t('Oversikt', 'Oversikt', 'Overview'),
  signInTitle: t('Logg inn på arbeidsbenken', 'Logg inn på arbeidsbenken', 'Sign in to the workbench'),
  signInExplain: t(
    'Arbeidsbenken er for ansatte ved institusjonen: katalogen over utdanningstilbud, import av katalog og resultater, og hva noden har sendt til indeksen og fått medsignert.',
    'Arbeidsbenken er for tilsette ved institusjonen: katalogen over utdanningstilbod, import av katalog og resultat, og kva noden har sendt til indeksen og fått medsignert.',
    'The workbench is for the institution\'s staff: the catalogue of education offerings, importing the catalogue and results, and what the node has sent to the index and had cosigned.'
  ),
  signInButton: t('Logg inn', 'Logg inn', 'Sign in'),
  signedOut: t('Du er logget ut.', 'Du er logga ut.', 'You are signed out.'),
  roles: t('Dine roller', 'Rollene dine', 'Your roles'),
  role: {
    viewer: t('leser', 'lesar', 'viewer'),
    'catalogue-editor': t('katalogredaktør', 'katalogredaktør', 'catalogue editor'),
    'results-importer': t('resultatimportør', 'resultatimportør', 'results importer')
  } as Record<string, T>,
  catalogue: t('Katalog', 'Katalog', 'Catalogue'),
  imports: t('Import', 'Import', 'Imports'),
  outbox: t('Utboks til indeksen', 'Utboks til indeksen', 'Outbox to the index'),
  checkpoints: t('Sjekkpunkter og vitner', 'Sjekkpunkt og vitne', 'Checkpoints and witnesses'),
  recentActions: t('Siste handlinger', 'Siste handlingar', 'Recent actions'),
  noActions: t('Ingen handlinger ennå.', 'Ingen handlingar enno.', 'No actions yet.'),
  action: {
    'sign-in': t('logget inn', 'logga inn', 'signed in'),
    'sign-out': t('logget ut', 'logga ut', 'signed out'),
    'offering.edit': t('endret et tilbud', 'endra eit tilbod', 'edited an offering'),
    'catalogue.import': t('importerte katalog', 'importerte katalog', 'imported a catalogue'),
    'results.import': t('importerte resultater', 'importerte resultat', 'imported results')
  } as Record<string, T>,
  offerings: t('{n} tilbud', '{n} tilbod', '{n} offerings'),
  noOfferings: t('Katalogen er tom. Importer en katalogfil først.', 'Katalogen er tom. Importer ei katalogfil først.', 'The catalogue is empty. Import a catalogue file first.'),
  previous: t('Forrige side', 'Førre side', 'Previous page'),
  next: t('Neste side', 'Neste side', 'Next page'),
  code: t('Lokal kode', 'Lokal kode', 'Local code'),
  nationalId: t('Nasjonal ID', 'Nasjonal ID', 'National ID'),
  kind: t('Type', 'Type', 'Kind'),
  version: t('Versjon', 'Versjon', 'Version'),
  validFrom: t('Gjelder fra', 'Gjeld frå', 'Valid from'),
  status: t('Status', 'Status', 'Status'),
  history: t('Historikk', 'Historikk', 'History'),
  historyExplain: t('Hver endring er en ny versjon; tidligere versjoner endres aldri.', 'Kvar endring er ein ny versjon; tidlegare versjonar blir aldri endra.', 'Every change is a new version; earlier versions are never changed.'),
  versionItem: t('Versjon {seq}, gjelder fra {from}, registrert {at}', 'Versjon {seq}, gjeld frå {from}, registrert {at}', 'Version {seq}, valid from {from}, recorded {at}'),
  edit: t('Lag en ny versjon', 'Lag ein ny versjon', 'Make a new version'),
  editExplain: t(
    'Endringene sendes til Nasjonalt utdanningsregister som en ny versjon av tilbudet, og lagres i nodens logg.',
    'Endringane blir sende til Nasjonalt utdanningsregister som ein ny versjon av tilbodet, og lagra i loggen til noden.',
    'The changes go to the National Education Registry as a new version of the offering, and into the node\'s log.'
  ),
  viewOnly: t('Du kan se tilbudet, men rollen din gir ikke lov til å endre det.', 'Du kan sjå tilbodet, men rolla di gir ikkje lov til å endre det.', 'You can see the offering, but your role does not allow you to change it.'),
  save: t('Lagre ny versjon', 'Lagre ny versjon', 'Save new version'),
  saved: t('Lagret: versjon {seq} er nå den siste.', 'Lagra: versjon {seq} er no den siste.', 'Saved: version {seq} is now the latest.'),
  unchanged: t('Ingen endring: skjemaet var likt siste versjon.', 'Inga endring: skjemaet var likt siste versjon.', 'No change: the form was the same as the latest version.'),
  formErrors: t('Skjemaet har {n} feil. Rett feltene som er merket, og lagre igjen.', 'Skjemaet har {n} feil. Rett felta som er merka, og lagre igjen.', 'The form has {n} errors. Correct the marked fields and save again.'),
  refused: t('Registeret tok ikke imot endringen', 'Registeret tok ikkje imot endringa', 'The registry did not accept the change'),
  field: {
    nameNb: t('Navn (bokmål)', 'Namn (bokmål)', 'Name (Bokmål)'),
    nameNn: t('Navn (nynorsk)', 'Namn (nynorsk)', 'Name (Nynorsk)'),
    nameEn: t('Navn (engelsk)', 'Namn (engelsk)', 'Name (English)'),
    credits: t('Studiepoeng', 'Studiepoeng', 'Credits (ECTS)'),
    nkrLevel: t('NKR-nivå', 'NKR-nivå', 'NQF level'),
    nusCode: t('NUS-kode', 'NUS-kode', 'NUS code'),
    iscedF: t('Fagfelt (ISCED-F)', 'Fagfelt (ISCED-F)', 'Field (ISCED-F)'),
    languages: t('Undervisningsspråk', 'Undervisningsspråk', 'Languages of instruction'),
    gradingScale: t('Karakterskala', 'Karakterskala', 'Grading scale'),
    learningOutcomesNb: t('Læringsutbytte (bokmål)', 'Læringsutbyte (bokmål)', 'Learning outcomes (Bokmål)'),
    learningOutcomesEn: t('Læringsutbytte (engelsk)', 'Læringsutbyte (engelsk)', 'Learning outcomes (English)'),
    terms: t('Semestre', 'Semester', 'Terms'),
    status: t('Status', 'Status', 'Status'),
    validFrom: t('Gjelder fra', 'Gjeld frå', 'Valid from')
  } as Record<string, T>,
  hint: {
    languages: t('Språkkoder med mellomrom, f.eks. «nb en»', 'Språkkodar med mellomrom, t.d. «nb en»', 'Language codes with spaces, e.g. "nb en"'),
    terms: t('F.eks. «2025H 2026V»', 'T.d. «2025H 2026V»', 'E.g. "2025H 2026V"'),
    validFrom: t('ÅÅÅÅ-MM-DD', 'ÅÅÅÅ-MM-DD', 'YYYY-MM-DD'),
    credits: t('F.eks. 7,5', 'T.d. 7,5', 'E.g. 7.5')
  } as Record<string, T>,
  statusValue: {
    active: t('aktiv', 'aktiv', 'active'),
    planned: t('planlagt', 'planlagd', 'planned'),
    discontinued: t('nedlagt', 'nedlagd', 'discontinued')
  } as Record<string, T>,
  importCatalogue: t('Importer katalog', 'Importer katalog', 'Import a catalogue'),
  importCatalogueExplain: t(
    'En CSV- eller JSON-fil med tilbud (samme format som «lifelong import catalogue»). Alt eller ingenting: en fil med feil lagrer ingenting.',
    'Ei CSV- eller JSON-fil med tilbod (same format som «lifelong import catalogue»). Alt eller ingenting: ei fil med feil lagrar ingenting.',
    'A CSV or JSON file of offerings (the format of "lifelong import catalogue"). All or nothing: a file with a mistake stores nothing.'
  ),
  importResults: t('Importer resultater', 'Importer resultat', 'Import results'),
  importResultsExplain: t(
    'En JSON-fil { "learners": [...], "results": [...] } (samme format som «lifelong import results»). Alt eller ingenting.',
    'Ei JSON-fil { "learners": [...], "results": [...] } (same format som «lifelong import results»). Alt eller ingenting.',
    'A JSON file { "learners": [...], "results": [...] } (the format of "lifelong import results"). All or nothing.'
  ),
  file: t('Fil', 'Fil', 'File'),
  format: t('Format', 'Format', 'Format'),
  start: t('Start import', 'Start import', 'Start the import'),
  noImportRole: t('Rollen din gir ikke lov til å importere.', 'Rolla di gir ikkje lov til å importere.', 'Your role does not allow you to import.'),
  recentImports: t('Siste importer', 'Siste importar', 'Recent imports'),
  noImports: t('Ingen importer siden noden startet.', 'Ingen importar sidan noden starta.', 'No imports since the node started.'),
  importTitle: t('Import {id}', 'Import {id}', 'Import {id}'),
  phase: {
    validating: t('sjekker', 'sjekkar', 'checking'),
    publishing: t('sender til registeret', 'sender til registeret', 'sending to the registry'),
    storing: t('lagrer', 'lagrar', 'storing'),
    done: t('ferdig', 'ferdig', 'done'),
    failed: t('stoppet', 'stoppa', 'stopped')
  } as Record<string, T>,
  progress: t('Framdrift', 'Framdrift', 'Progress'),
  progressText: t('{phase}: {done} av {total}', '{phase}: {done} av {total}', '{phase}: {done} of {total}'),
  running: t(
    'Importen pågår. Siden oppdateres av seg selv; du kan også oppdatere den.',
    'Importen går føre seg. Sida blir oppdatert av seg sjølv; du kan òg oppdatere ho.',
    'The import is running. The page updates itself; you can also refresh it.'
  ),
  refresh: t('Oppdater', 'Oppdater', 'Refresh'),
  importDone: t('Importen er ferdig.', 'Importen er ferdig.', 'The import is done.'),
  importFailed: t(
    'Importen ble ikke lagret: {n} problem(er). Ingenting er lagret. Rett filen og prøv igjen.',
    'Importen vart ikkje lagra: {n} problem. Ingenting er lagra. Rett fila og prøv igjen.',
    'The import was not stored: {n} problem(s). Nothing was stored. Correct the file and try again.'
  ),
  report: t('Rapport', 'Rapport', 'Report'),
  problems: t('Problemer', 'Problem', 'Problems'),
  where: t('Hvor', 'Kvar', 'Where'),
  what: t('Hva', 'Kva', 'What'),
  reportKey: {
    rows: t('rader', 'rader', 'rows'),
    created: t('nye tilbud', 'nye tilbod', 'new offerings'),
    updated: t('nye versjoner', 'nye versjonar', 'new versions'),
    unchanged: t('uendret', 'uendra', 'unchanged'),
    learnersCreated: t('nye lærende', 'nye lærande', 'new learners'),
    learnersUpdated: t('endrede lærende', 'endra lærande', 'learners changed'),
    issued: t('nye resultater', 'nye resultat', 'new results'),
    corrected: t('rettede resultater', 'retta resultat', 'results corrected'),
    annulled: t('annullerte resultater', 'annullerte resultat', 'results annulled')
  } as Record<string, T>,
  kindCatalogue: t('katalog', 'katalog', 'catalogue'),
  kindResults: t('resultater', 'resultat', 'results'),
  startedBy: t('{file}, startet av {staff} {at}', '{file}, starta av {staff} {at}', '{file}, started by {staff} {at}'),
  outboxExplain: t(
    'Når en lærende får sitt første resultat her, sender noden en peker til den nasjonale indeksen: «denne institusjonen har resultater for denne personen». Pekere som venter, sendes på nytt til indeksen svarer.',
    'Når ein lærande får det første resultatet sitt her, sender noden ein peikar til den nasjonale indeksen: «denne institusjonen har resultat for denne personen». Peikarar som ventar, blir sende på nytt til indeksen svarar.',
    'When a learner gets their first result here, the node sends a pointer to the national index: "this institution holds results of this person". Pointers that wait are sent again until the index answers.'
  ),
  pending: t('Venter på å bli sendt', 'Ventar på å bli sende', 'Waiting to be sent'),
  sent: t('Sendt og bekreftet av indeksen', 'Sendt og stadfesta av indeksen', 'Sent and confirmed by the index'),
  rejected: t('Avvist av indeksen siden noden startet', 'Avvist av indeksen sidan noden starta', 'Refused by the index since the node started'),
  lastError: t('Siste feil', 'Siste feil', 'Last error'),
  checkpointsExplain: t(
    'Noden signerer jevnlig et sjekkpunkt av loggen sin (størrelse og rot-hash). Vitner i føderasjonen kontrollerer at loggen bare vokser, og medsignerer.',
    'Noden signerer jamleg eit sjekkpunkt av loggen sin (storleik og rot-hash). Vitne i føderasjonen kontrollerer at loggen berre veks, og medsignerer.',
    'The node regularly signs a checkpoint of its log (size and root hash). Witnesses in the federation check that the log only grows, and cosign it.'
  ),
  noCheckpoints: t('Ingen sjekkpunkter ennå.', 'Ingen sjekkpunkt enno.', 'No checkpoints yet.'),
  checkpointItem: t('{size} oppføringer', '{size} oppføringar', '{size} entries'),
  root: t('Rot-hash', 'Rot-hash', 'Root hash'),
  cosignedBy: t('Medsignert av', 'Medsignert av', 'Cosigned by'),
  notCosigned: t('Ingen vitner har medsignert ennå.', 'Ingen vitne har medsignert enno.', 'No witness has cosigned yet.'),
  devTitle: t('Utviklings-innlogging for ansatte', 'Utviklings-innlogging for tilsette', 'Development sign-in for staff'),
  devExplain: t(
    'Dette er en innloggingstjeneste for testing og demo. Den logger inn hvem som helst som klikker. En ekte node bruker institusjonens egen innlogging (OpenID Connect).',
    'Dette er ei innloggingsteneste for testing og demo. Ho loggar inn kven som helst som klikkar. Ein ekte node bruker institusjonen si eiga innlogging (OpenID Connect).',
    'This is a sign-in service for testing and demos. It signs in anyone who clicks. A real node uses the institution\'s own sign-in (OpenID Connect).'
  ),
  chooseStaff: t('Velg en ansatt', 'Vel ein tilsett', 'Choose a staff member'),
  signInAs: t('Logg inn som', 'Logg inn som', 'Sign in as')
}
