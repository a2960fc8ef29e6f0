/**
 * The HTML of the EMREX flows: the result picker, the auto-submitting forms that carry the
 * learner's browser between provider and client, the import pages and error pages. Plain,
 * accessible HTML (labels, fieldsets, headings, a no-script button), English with Norwegian
 * where the learner acts. Every value is escaped; pages that post elsewhere carry a
 * Content-Security-Policy whose `form-action` names only that destination.
 */
import { randomBytes } from 'node:crypto'
import type { LearnerResults, Localised, ResultFacts } from '../../../core/bridges/model.ts'
import type { ForeignResultsRecord, ImportOutcome, RegisteredProvider } from '../../../services/bridges/emrex/client.ts'
import type { ImportedOpportunity, ImportedText } from '../../../services/bridges/emrex/import.ts'
import { decisiveGrade, resultLabel, decimal } from '../../../services/bridges/emrex/mapping.ts'
import { groupByIssuer } from '../../../services/bridges/emrex/export.ts'
import { csrfField, escapeHtml } from '../../ui/html.ts'


export interface Page {
  html: string
  /** Content-Security-Policy for this page. */
  csp: string
}

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}fieldset{margin:1rem 0}li{margin:.25rem 0}.muted{color:#555}.code{font-family:monospace}.warn{background:#fff3cd;padding:.5rem}button{font-size:1rem;margin:.25rem .5rem .25rem 0;padding:.4rem 1rem}'

function layout (title: string, body: string, opts: { formAction?: string, nonce?: string, lang?: string } = {}): Page {
  const script = opts.nonce === undefined ? '' : ` 'nonce-${opts.nonce}'`
  const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src${script === '' ? " 'none'" : script}; form-action ${opts.formAction ?? "'self'"}; base-uri 'none'; frame-ancestors 'none'`
  return {
    csp,
    html: `<!doctype html><html lang="${opts.lang ?? 'en'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`
  }
}

function pick (text: Localised): string {
  return text.en ?? text.nb ?? Object.values(text)[0] ?? ''
}

function pickImported (texts: readonly ImportedText[]): string {
  return (texts.find((t) => t.lang === 'en') ?? texts[0])?.text ?? ''
}

/** Where to send a form: the origin (for CSP `form-action`) of an absolute URL, or 'self'. */
function formActionSource (action: string): string {
  try {
    return new URL(action).origin
  } catch {
    return "'self'"
  }
}

/**
 * A form that posts itself to `action` (the EMREX hand-over between provider and client), with a
 * button for browsers without JavaScript.
 */
export function autoSubmitPage (action: string, fields: Readonly<Record<string, string | undefined>>, heading: string, explanation: string): Page {
  const nonce = randomBytes(16).toString('base64')
  const inputs = Object.entries(fields).filter(([, v]) => v !== undefined).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v as string)}">`).join('')
  return layout(heading, `<h1>${escapeHtml(heading)}</h1><p>${escapeHtml(explanation)}</p>
<form id="emrex" method="post" action="${escapeHtml(action)}" enctype="application/x-www-form-urlencoded">${inputs}<noscript><button type="submit">Continue / Fortsett</button></noscript></form>
<script nonce="${nonce}">document.getElementById('emrex').submit()</script>`, { formAction: formActionSource(action), nonce })
}

function resultFacts (r: ResultFacts): string {
  const grade = decisiveGrade(r)
  const parts = [r.localCode, r.achievedOn, grade === undefined ? undefined : `grade ${resultLabel(grade)}`, r.credits === undefined ? undefined : `${decimal(r.credits.value)} ECTS`]
  return parts.filter((p) => p !== undefined).map((p) => escapeHtml(p as string)).join(' · ')
}

/** The picker: the learner's results by institution, each top-level result a checkbox; `csrf` is the session's token (src/edges/http/csrf.ts). */
export function pickerPage (transferId: string, clientName: string, view: LearnerResults, learnerName: string, csrf?: string): Page {
  const groups = groupByIssuer(view.results).map((g) => {
    const items = g.results.map((r) => {
      const id = `r-${escapeHtml(r.id)}`
      const parts = (r.parts ?? []).length === 0 ? '' : `<ul>${(r.parts ?? []).map((p) => `<li>${escapeHtml(pick(p.title))} <span class="muted">${resultFacts(p)}</span></li>`).join('')}</ul>`
      return `<li><input type="checkbox" name="results" value="${escapeHtml(r.id)}" id="${id}" checked> <label for="${id}">${escapeHtml(pick(r.title))}</label> <span class="muted">${resultFacts(r)}</span>${parts}</li>`
    }).join('')
    const successor = g.issuer.successor === undefined ? '' : ` <span class="muted">(now ${escapeHtml(pick(g.issuer.successor.names))})</span>`
    return `<fieldset><legend>${escapeHtml(pick(g.issuer.names))}${successor}</legend><ul style="list-style:none;padding-left:0">${items}</ul></fieldset>`
  }).join('')
  const none = view.results.length === 0 ? '<p>You have no results to send. / Du har ingen resultater å sende.</p>' : ''
  return layout('Send results with EMREX', `<h1>Send results to ${escapeHtml(clientName)}</h1>
<p>Signed in as <strong>${escapeHtml(learnerName)}</strong>. Choose what ${escapeHtml(clientName)} receives: a signed ELMO document with the chosen results and a PDF transcript. The transfer is recorded in your access log.</p>
<p lang="nb">Velg hvilke resultater ${escapeHtml(clientName)} skal få. Overføringen vises i tilgangsloggen din.</p>
<form method="post" action="/emrex/transfers/${escapeHtml(encodeURIComponent(transferId))}">${csrfField(csrf)}${groups}${none}
<button type="submit" name="action" value="send">Send chosen results / Send valgte resultater</button>
<button type="submit" name="action" value="cancel">Cancel / Avbryt</button></form>`)
}

/** The import start page: the configured foreign providers and the learner's earlier imports; `csrf` is the session's token. */
export function importStartPage (providers: readonly RegisteredProvider[], imports: readonly ForeignResultsRecord[], learnerName: string, csrf?: string): Page {
  const options = providers.map((p, i) => `<div><input type="radio" name="providerId" id="p${i}" value="${escapeHtml(p.id)}"${i === 0 ? ' checked' : ''}> <label for="p${i}">${escapeHtml(p.name)} (${escapeHtml(p.country)})</label></div>`).join('')
  const earlier = imports.length === 0 ? '<p>No foreign results imported yet.</p>' : `<ul>${imports.map((r) => `<li><a href="/emrex/import/results/${escapeHtml(encodeURIComponent(r.importId))}">${escapeHtml(r.provider.name)}, ${escapeHtml(new Date(r.receivedAt).toISOString().slice(0, 10))}</a></li>`).join('')}</ul>`
  return layout('Import results from abroad', `<h1>Import results from abroad</h1><p>Signed in as <strong>${escapeHtml(learnerName)}</strong>.</p>
<form method="post" action="/emrex/import/start">${csrfField(csrf)}<fieldset><legend>Fetch results with EMREX from / Hent resultater fra</legend>${options}</fieldset><button type="submit">Go to provider / Gå videre</button></form>
<h2>Imported results</h2>${earlier}`)
}

function opportunityItem (o: ImportedOpportunity): string {
  const i = o.instance
  const facts = [i.date, i.resultLabel === undefined ? undefined : `grade ${i.resultLabel}`, ...i.credits.map((c) => `${c.value ?? '?'} ${c.scheme}`), i.status === 'passed' ? undefined : i.status]
    .filter((f) => f !== undefined).map((f) => escapeHtml(f as string)).join(' · ')
  const parts = o.parts.length === 0 ? '' : `<ul>${o.parts.map(opportunityItem).join('')}</ul>`
  return `<li>${escapeHtml(pickImported(o.titles))} <span class="muted">${facts}</span>${parts}</li>`
}

/** One import: provenance, warnings and the results. */
export function importRecordHtml (r: ForeignResultsRecord): string {
  const warnings = r.warnings.length === 0 ? '' : `<div class="warn" role="note"><strong>Accepted with warnings:</strong><ul>${r.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></div>`
  const reports = r.elmo.reports.map((rep) => `<h3>${escapeHtml(pickImported(rep.issuer.titles))}${rep.issuer.country === undefined ? '' : ` (${escapeHtml(rep.issuer.country)})`}</h3><ul>${rep.opportunities.map(opportunityItem).join('')}</ul>`).join('')
  return `<p>From <strong>${escapeHtml(r.provider.name)}</strong> (${escapeHtml(r.provider.country)}), received ${escapeHtml(new Date(r.receivedAt).toISOString())}. Signature ${escapeHtml(r.signature.algorithm)} verified with the registered certificate <span class="code">${escapeHtml(r.signature.certificate)}</span>.</p>${warnings}${reports}`
}

export function importOutcomePage (outcome: ImportOutcome, providerName: string): Page {
  switch (outcome.status) {
    case 'imported':
      return layout('Results imported', `<h1 data-status="imported">Results imported</h1>${importRecordHtml(outcome.record)}<p><a href="/emrex/import">Back / Tilbake</a></p>`)
    case 'cancelled':
      return layout('Import cancelled', `<h1 data-status="cancelled">Import cancelled</h1><p>You cancelled at ${escapeHtml(providerName)}. Nothing was imported.</p><p><a href="/emrex/import">Back</a></p>`)
    case 'no-results':
      return layout('No results', `<h1 data-status="no-results">No results to import</h1><p>${escapeHtml(providerName)} had no results to send${outcome.message === '' ? '' : `: ${escapeHtml(outcome.message)}`}.</p><p><a href="/emrex/import">Back</a></p>`)
    case 'provider-error':
      return layout('Provider error', `<h1 data-status="provider-error">The provider reported an error</h1><p>${escapeHtml(providerName)}: ${escapeHtml(outcome.message === '' ? 'no message' : outcome.message)}</p><p><a href="/emrex/import">Back</a></p>`)
  }
}

export function importRecordPage (r: ForeignResultsRecord): Page {
  return layout('Imported results', `<h1>Imported results</h1>${importRecordHtml(r)}<p><a href="/emrex/import">Back</a></p>`)
}

/** An error page with the stable code (also for machines: `data-code`). */
export function errorPage (status: number, code: string, message: string): Page {
  return layout('EMREX error', `<h1 data-code="${escapeHtml(code)}">Something went wrong (${status})</h1><p>${escapeHtml(message)}</p><p class="code">${escapeHtml(code)}</p>`)
}
