/**
 * The proof checker page (/verify): a drop zone and file fields for the proof file or the PDF,
 * the federation's trust anchor it checks against (whose fingerprint the module computes), and
 * where the outcome appears. The checking runs in the browser (src/edges/ui/browser/verifier.ts):
 * this page only carries the anchor and the texts in the page's language.
 */
import { escapeHtml } from '../ui/html.ts'
import type { ByLang, Lang } from '../ui/lang.ts'
import { shellHtml } from '../ui/shell.ts'
import type { VerifierTexts } from '../ui/browser/verifier-texts.ts'
import { TEXTS } from './i18n.ts'

const esc = escapeHtml

interface PageTexts {
  title: string
  lead: string
  privacy: string
  anchorHeading: string
  anchorLead: string
  anchorFile: string
  anchorFileHint: string
  proofHeading: string
  dropHere: string
  chooseFile: string
  chooseFileHint: string
  needsScript: string
  policy: string
  policyHint: string
  policyEd25519: string
  policyBoth: string
}

const PAGE: ByLang<PageTexts> = {
  nb: {
    title: 'Kontroller et bevis',
    lead: 'Her kan du selv kontrollere resultater noen har delt med deg fra Vitnemålsportalen: at de er signert av lærestedet, står i lærestedets logg, og at lærestedet er medlem av føderasjonen.',
    privacy: 'Kontrollen skjer i nettleseren din. Filen lastes ikke opp noe sted.',
    anchorHeading: 'Tillitsankeret',
    anchorLead: 'Kontrollen går ut fra føderasjonens tillitsanker. Sammenlign fingeravtrykket med det operatøren publiserer, eller velg ankeret du selv har fra før.',
    anchorFile: 'Bruk et annet tillitsanker',
    anchorFileHint: 'En fil trust-anchor.json (lifelong-trust-anchor/v1).',
    proofHeading: 'Beviset',
    dropHere: 'Slipp beviset eller PDF-en her.',
    chooseFile: 'Eller velg filen',
    chooseFileHint: 'JSON-filen med beviset, eller PDF-en med beviset vedlagt.',
    needsScript: 'Kontrollen trenger JavaScript. Uten det kan du bruke kommandolinjeverktøyet: lifelong verify results-proof.json.',
    policy: 'Krav til signaturene',
    policyHint: 'Som lifelong verify --policy. «Begge» krever også de kvantesikre ML-DSA-65-signaturene.',
    policyEd25519: 'Ed25519 (vanlig)',
    policyBoth: 'Begge: Ed25519 og ML-DSA-65'
  },
  nn: {
    title: 'Kontroller eit prov',
    lead: 'Her kan du sjølv kontrollere resultat nokon har delt med deg frå Vitnemålsportalen: at dei er signerte av lærestaden, står i loggen til lærestaden, og at lærestaden er medlem av føderasjonen.',
    privacy: 'Kontrollen skjer i nettlesaren din. Fila vert ikkje lasta opp nokon stad.',
    anchorHeading: 'Tillitsankeret',
    anchorLead: 'Kontrollen går ut frå tillitsankeret til føderasjonen. Samanlikn fingeravtrykket med det operatøren publiserer, eller vel ankeret du sjølv har frå før.',
    anchorFile: 'Bruk eit anna tillitsanker',
    anchorFileHint: 'Ei fil trust-anchor.json (lifelong-trust-anchor/v1).',
    proofHeading: 'Beviset',
    dropHere: 'Slepp beviset eller PDF-en her.',
    chooseFile: 'Eller vel fila',
    chooseFileHint: 'JSON-fila med beviset, eller PDF-en med beviset vedlagt.',
    needsScript: 'Kontrollen treng JavaScript. Utan det kan du bruke kommandolinjeverktøyet: lifelong verify results-proof.json.',
    policy: 'Krav til signaturane',
    policyHint: 'Som lifelong verify --policy. «Begge» krev også dei kvantesikre ML-DSA-65-signaturane.',
    policyEd25519: 'Ed25519 (vanleg)',
    policyBoth: 'Begge: Ed25519 og ML-DSA-65'
  },
  en: {
    title: 'Check a proof',
    lead: 'Here you can check for yourself results someone shared with you from the Diploma portal: that they are signed by the institution, are in the institution\'s log, and that the institution is a member of the federation.',
    privacy: 'The check runs in your browser. The file is not uploaded anywhere.',
    anchorHeading: 'The trust anchor',
    anchorLead: 'The check starts from the federation\'s trust anchor. Compare its fingerprint with the one the operator publishes, or choose the anchor you already have.',
    anchorFile: 'Use another trust anchor',
    anchorFileHint: 'A file trust-anchor.json (lifelong-trust-anchor/v1).',
    proofHeading: 'The proof',
    dropHere: 'Drop the proof or the PDF here.',
    chooseFile: 'Or choose the file',
    chooseFileHint: 'The JSON file with the proof, or the PDF with the proof attached.',
    needsScript: 'The checker needs JavaScript. Without it you can use the command-line tool: lifelong verify results-proof.json.',
    policy: 'What the signatures must be',
    policyHint: 'As lifelong verify --policy. "Both" also requires the quantum-safe ML-DSA-65 signatures.',
    policyEd25519: 'Ed25519 (the usual)',
    policyBoth: 'Both: Ed25519 and ML-DSA-65'
  }
}

const CHECKS: ByLang<Record<string, string>> = {
  nb: {
    'bundle-format': 'filen er ikke et bevis i riktig format',
    'entry-type': 'oppføringen er ikke et resultat',
    'trust-anchor': 'ingen tillitsanker er valgt',
    manifest: 'medlemslisten i beviset er ikke signert av føderasjonens operatør (en annen føderasjon?)',
    'log-key': 'loggens nøkkel er ugyldig',
    'key-membership': 'loggen tilhører ikke et medlem av føderasjonen',
    'checkpoint-signature': 'loggens kontrollpunkt er ikke signert av lærestedet (med signaturene som kreves)',
    cosignatures: 'for få av loggens vitner har bekreftet kontrollpunktet',
    result: 'resultatets segl holder ikke (eller mangler signaturen som kreves)',
    'leaf-encoding': 'loggoppføringen er ødelagt',
    'leaf-type': 'loggoppføringen er ikke et resultat',
    'key-commitment': 'loggoppføringen gjelder et annet resultat',
    'record-commitment': 'resultatet er endret etter at det ble ført i loggen',
    'inclusion-proof': 'resultatet står ikke i lærestedets logg',
    'member-at-logging': 'lærestedet var ikke medlem da resultatet ble ført',
    'result-signature': 'resultatet er ikke signert av lærestedet',
    'result-recorder': 'resultatet er ført av et annet lærested',
    'result-log-key': 'loggoppføringen gjelder en annen versjon av resultatet'
  },
  nn: {
    'bundle-format': 'fila er ikkje eit prov i rett format',
    'entry-type': 'oppføringa er ikkje eit resultat',
    'trust-anchor': 'inkje tillitsanker er valt',
    manifest: 'medlemslista i beviset er ikkje signert av operatøren til føderasjonen (ein annan føderasjon?)',
    'log-key': 'nøkkelen til loggen er ugyldig',
    'key-membership': 'loggen høyrer ikkje til eit medlem av føderasjonen',
    'checkpoint-signature': 'kontrollpunktet til loggen er ikkje signert av lærestaden (med signaturane som krevst)',
    cosignatures: 'for få av vitna til loggen har stadfesta kontrollpunktet',
    result: 'seglet på resultatet held ikkje (eller manglar signaturen som krevst)',
    'leaf-encoding': 'loggoppføringa er øydelagd',
    'leaf-type': 'loggoppføringa er ikkje eit resultat',
    'key-commitment': 'loggoppføringa gjeld eit anna resultat',
    'record-commitment': 'resultatet er endra etter at det vart ført i loggen',
    'inclusion-proof': 'resultatet står ikkje i loggen til lærestaden',
    'member-at-logging': 'lærestaden var ikkje medlem då resultatet vart ført',
    'result-signature': 'resultatet er ikkje signert av lærestaden',
    'result-recorder': 'resultatet er ført av ein annan lærestad',
    'result-log-key': 'loggoppføringa gjeld ein annan versjon av resultatet'
  },
  en: {
    'bundle-format': 'the file is not a proof in the right format',
    'entry-type': 'the entry is not a result',
    'trust-anchor': 'no trust anchor is chosen',
    manifest: 'the list of members in the proof is not signed by the federation\'s operator (another federation?)',
    'log-key': 'the log\'s key is invalid',
    'key-membership': 'the log does not belong to a member of the federation',
    'checkpoint-signature': 'the log\'s checkpoint is not signed by the institution (with the signatures required)',
    cosignatures: 'too few of the log\'s witnesses confirmed the checkpoint',
    result: 'the result\'s seal does not hold (or lacks the signature required)',
    'leaf-encoding': 'the log entry is damaged',
    'leaf-type': 'the log entry is not a result',
    'key-commitment': 'the log entry is of another result',
    'record-commitment': 'the result was changed after it was logged',
    'inclusion-proof': 'the result is not in the institution\'s log',
    'member-at-logging': 'the institution was not a member when the result was logged',
    'result-signature': 'the result is not signed by the institution',
    'result-recorder': 'the result was recorded by another institution',
    'result-log-key': 'the log entry is of another version of the result'
  }
}

const MODULE: ByLang<Omit<VerifierTexts, 'checks' | 'gradeValues' | 'components' | 'grade' | 'credits' | 'date' | 'issuer'>> = {
  nb: {
    checking: 'Kontrollerer …',
    notProof: 'Filen er ikke et bevis fra Vitnemålsportalen eller en PDF med beviset vedlagt.',
    noAnchor: 'Siden har ikke noe tillitsanker. Velg ankeret fra en fil.',
    anchorInvalid: 'Filen er ikke et tillitsanker.',
    anchorPortal: 'Tillitsankeret denne portalen publiserer:',
    anchorOwn: 'Tillitsankeret du valgte:',
    federation: 'Føderasjon',
    fingerprint: 'Fingeravtrykk',
    allOk: 'Beviset holder: alle {n} resultatene er ekte.',
    rejected: 'Beviset holder ikke. Stol ikke på disse resultatene.',
    result: 'Resultat',
    resultOk: 'Ekte',
    resultFailed: 'Ikke godkjent',
    learner: 'Person',
    vouchedBy: 'Lærestedets node',
    witnesses: 'Bekreftet av',
    logPosition: 'Plass i loggen',
    position: 'oppføring {index} av {size}'
  },
  nn: {
    checking: 'Kontrollerer …',
    notProof: 'Fila er ikkje eit prov frå Vitnemålsportalen eller ein PDF med beviset vedlagt.',
    noAnchor: 'Sida har ikkje noko tillitsanker. Vel ankeret frå ei fil.',
    anchorInvalid: 'Fila er ikkje eit tillitsanker.',
    anchorPortal: 'Tillitsankeret denne portalen publiserer:',
    anchorOwn: 'Tillitsankeret du valde:',
    federation: 'Føderasjon',
    fingerprint: 'Fingeravtrykk',
    allOk: 'Beviset held: alle {n} resultata er ekte.',
    rejected: 'Beviset held ikkje. Stol ikkje på desse resultata.',
    result: 'Resultat',
    resultOk: 'Ekte',
    resultFailed: 'Ikkje godkjent',
    learner: 'Person',
    vouchedBy: 'Noden til lærestaden',
    witnesses: 'Stadfesta av',
    logPosition: 'Plass i loggen',
    position: 'oppføring {index} av {size}'
  },
  en: {
    checking: 'Checking …',
    notProof: 'The file is not a proof from the Diploma portal, nor a PDF with the proof attached.',
    noAnchor: 'This page carries no trust anchor. Choose the anchor from a file.',
    anchorInvalid: 'The file is not a trust anchor.',
    anchorPortal: 'The trust anchor this portal publishes:',
    anchorOwn: 'The trust anchor you chose:',
    federation: 'Federation',
    fingerprint: 'Fingerprint',
    allOk: 'The proof holds: all {n} results are genuine.',
    rejected: 'The proof does not hold. Do not trust these results.',
    result: 'Result',
    resultOk: 'Genuine',
    resultFailed: 'Not accepted',
    learner: 'Person',
    vouchedBy: 'The institution\'s node',
    witnesses: 'Confirmed by',
    logPosition: 'Position in the log',
    position: 'entry {index} of {size}'
  }
}

/** The texts the checker module gets, in a language. */
export function verifierTexts (lang: Lang): VerifierTexts {
  const t = TEXTS[lang]
  return { ...MODULE[lang], checks: CHECKS[lang], gradeValues: { ...t.gradeValues }, components: { ...t.components }, grade: t.grade, credits: t.credits, date: t.date, issuer: t.issuer }
}

/** The page; `anchorText` is the federation's trust anchor as the operator published it (none: the reader brings one). */
export function verifierPage (lang: Lang, anchorText: string | undefined, here: string): string {
  const p = PAGE[lang]
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64')
  const body = `<p>${esc(p.lead)}</p><p class="info">${esc(p.privacy)}</p>
<p id="needs-script" class="notice">${esc(p.needsScript)}</p>
<div id="verifier" hidden data-anchor="${esc(anchorText === undefined ? '' : b64(anchorText))}" data-texts="${esc(b64(JSON.stringify(verifierTexts(lang))))}">
<section aria-labelledby="anchor-heading"><h2 id="anchor-heading">${esc(p.anchorHeading)}</h2><p>${esc(p.anchorLead)}</p><div id="anchor-info"></div>
<div class="field"><label for="anchor-file">${esc(p.anchorFile)}</label><span id="anchor-file-hint" class="hint">${
  esc(p.anchorFileHint)
}</span><input type="file" id="anchor-file" accept=".json,application/json" aria-describedby="anchor-file-hint"></div></section>
<div class="field"><label for="policy">${esc(p.policy)}</label><span id="policy-hint" class="hint">${esc(p.policyHint)}</span><select id="policy" aria-describedby="policy-hint"><option value="ed25519-only">${
  esc(p.policyEd25519)
}</option><option value="both-required">${esc(p.policyBoth)}</option></select></div>
<section aria-labelledby="proof-heading"><h2 id="proof-heading">${esc(p.proofHeading)}</h2>
<div class="drop" id="drop"><p>${esc(p.dropHere)}</p><div class="field"><label for="proof-file">${esc(p.chooseFile)}</label><span id="proof-file-hint" class="hint">${
  esc(p.chooseFileHint)
}</span><input type="file" id="proof-file" accept=".json,.pdf,application/json,application/pdf" aria-describedby="proof-file-hint"></div></div>
<div id="outcome" role="status" aria-live="polite"></div></section></div>`
  return shellHtml({ lang, title: p.title, here, body, scripts: ['/assets/verifier.ts'] })
}
