/**
 * The workbench's pages, drawn in the one shell (src/edges/ui/shell.ts) in the reader's language:
 * the sign-in page, the overview, the catalogue and an offering with its edit form (mistakes at
 * their fields, what was typed kept), the imports with their progress and report, the outbox and
 * the checkpoints with their cosigners. Every form that posts carries the session's CSRF token.
 * Pure functions of what the routes give them.
 */
import type { AuditEntry } from '../../services/workbench/audit.ts'
import type { ImportJob } from '../../services/workbench/imports.ts'
import type { StaffMember } from '../../services/workbench/staff.ts'
import type { CheckpointView, OfferingEdit } from '../../services/workbench/workbench.ts'
import { EDIT_FIELDS } from '../../services/workbench/workbench.ts'
import type { OfferingVersion } from '../../services/registry/education/model.ts'
import type { StaffMemberConfig } from '../../core/config/workbench.ts'
import { csrfField, escapeHtml as esc } from '../ui/html.ts'
import type { Lang } from '../ui/lang.ts'
import type { ShellPage } from '../ui/shell.ts'
import type { Site } from '../ui/site.ts'
import { localText, plainText } from '../ui/text.ts'
import { formatDate, formatDateTime, formatNumber } from '../ui/format.ts'
import { TEXTS } from './texts.ts'

/** The workbench's site: its name, its navigation for signed-in staff, sign-in and sign-out. */
export const WORKBENCH_SITE: Site = {
  name: { nb: 'Arbeidsbenken', nn: 'Arbeidsbenken', en: 'Workbench' },
  home: '/workbench',
  nav: [
    { href: '/workbench', label: TEXTS.home },
    { href: '/workbench/catalogue', label: TEXTS.catalogue },
    { href: '/workbench/imports', label: TEXTS.imports },
    { href: '/workbench/outbox', label: TEXTS.outbox },
    { href: '/workbench/checkpoints', label: TEXTS.checkpoints }
  ],
  signIn: '/workbench/sign-in',
  signOut: { one: '/workbench/sign-out' }
}

/** The development identity provider's pages say on every page what they are. */
const DEV_SITE: Site = { name: { nb: 'Utviklings-innlogging', nn: 'Utviklings-innlogging', en: 'Development sign-in' }, nav: [], development: true }

/** Who a page is for: the staff member, and their session's CSRF token for the page's forms. */
export interface Viewer {
  member: StaffMember
  csrf?: string
}

const fill = (text: string, values: Record<string, string | number>): string => text.replace(/\{(\w+)\}/g, (_m, k: string) => String(values[k] ?? ''))

function page (lang: Lang, title: string, here: string, body: string, viewer?: Viewer, current?: string, scripts?: readonly string[]): ShellPage {
  return {
    lang,
    title,
    here,
    body,
    site: WORKBENCH_SITE,
    ...(viewer === undefined ? {} : { signedIn: { name: viewer.member.name, ...(viewer.csrf === undefined ? {} : { csrf: viewer.csrf }) } }),
    ...(current === undefined ? {} : { current }),
    ...(scripts === undefined ? {} : { scripts, fetches: true })
  }
}

/** The sign-in page (open to anyone): what the workbench is, and the button to the sign-in service. */
export function signInPage (lang: Lang, here: string, returnTo: string, signedOut: boolean): ShellPage {
  const t = TEXTS
  const body = `${signedOut ? `<p class="done" role="status">${esc(t.signedOut[lang])}</p>` : ''}<p>${esc(t.signInExplain[lang])}</p>
<form method="get" action="/workbench/login"><input type="hidden" name="returnTo" value="${esc(returnTo)}"><button type="submit" id="sign-in">${esc(t.signInButton[lang])}</button></form>`
  return page(lang, t.signInTitle[lang], here, body)
}

const roleNames = (lang: Lang, roles: readonly string[]): string => roles.map((r) => TEXTS.role[r]?.[lang] ?? r).join(', ')

function actionLine (lang: Lang, a: AuditEntry): string {
  const what = TEXTS.action[a.action]?.[lang] ?? a.action
  const subject = a.subject === undefined ? '' : ` <code>${esc(a.subject)}</code>`
  return `<li><time datetime="${new Date(a.at).toISOString()}">${esc(formatDateTime(a.at, lang))}</time>: <strong>${esc(a.staff)}</strong> ${esc(what)}${subject} (<code>${esc(a.outcome)}</code>)</li>`
}

/** The overview: who is signed in with which roles, the institution, and the latest staff actions. */
export function homePage (lang: Lang, viewer: Viewer, institution: string, actions: readonly AuditEntry[]): ShellPage {
  const t = TEXTS
  const body = `<p>${esc(institution)}</p>
<dl class="facts"><dt>${esc(t.roles[lang])}</dt><dd>${esc(roleNames(lang, viewer.member.roles))}</dd></dl>
<ul class="plain">${WORKBENCH_SITE.nav.slice(1).map((n) => `<li><a href="${esc(n.href)}">${esc(n.label[lang])}</a></li>`).join('')}</ul>
<h2>${esc(t.recentActions[lang])}</h2>
${actions.length === 0 ? `<p>${esc(t.noActions[lang])}</p>` : `<ul class="timeline">${actions.map((a) => actionLine(lang, a)).join('')}</ul>`}`
  return page(lang, WORKBENCH_SITE.name[lang], '/workbench', body, viewer, '/workbench')
}

/** The catalogue: this institution's offerings, a page at a time. */
export function cataloguePage (lang: Lang, viewer: Viewer, here: string, offerings: { total: number, items: readonly OfferingVersion[] }, offset: number, limit: number): ShellPage {
  const t = TEXTS
  const cards = offerings.items.map((v) => {
    const o = v.offering
    return `<li class="card"><h2><a href="/workbench/catalogue/${esc(o.id)}">${localText(o.name, lang)}</a></h2><dl class="facts"><dt>${esc(t.code[lang])}</dt><dd><code>${esc(o.localCode)}</code></dd><dt>${
      esc(t.nationalId[lang])
    }</dt><dd><code>${esc(o.id)}</code></dd><dt>${esc(t.version[lang])}</dt><dd>${v.seq}</dd><dt>${esc(t.status[lang])}</dt><dd>${esc(t.statusValue[o.status]?.[lang] ?? o.status)}</dd></dl></li>`
  }).join('')
  const pager = [
    offset > 0 ? `<a href="/workbench/catalogue?offset=${Math.max(0, offset - limit)}" rel="prev">${esc(t.previous[lang])}</a>` : '',
    offset + limit < offerings.total ? `<a href="/workbench/catalogue?offset=${offset + limit}" rel="next">${esc(t.next[lang])}</a>` : ''
  ].join('')
  const body = offerings.total === 0
    ? `<p>${esc(t.noOfferings[lang])}</p>`
    : `<p role="status">${esc(fill(t.offerings[lang], { n: offerings.total }))}</p><ul class="cards wide">${cards}</ul>${pager === '' ? '' : `<nav class="pager" aria-label="${esc(t.catalogue[lang])}">${pager}</nav>`}`
  return page(lang, t.catalogue[lang], here, body, viewer, '/workbench/catalogue')
}

/** What the offering page shows after a post: the saved version, or the form as posted with its mistakes. */
export interface OfferingPageState {
  form: OfferingEdit
  /** Mistakes by form field ('' for the form as a whole). */
  errors: Partial<Record<keyof OfferingEdit | '', string[]>>
  saved?: { outcome: 'updated' | 'unchanged', seq: number }
  /** A refusal that is about no field (the registry's), with its code. */
  refusal?: { code: string, message: string }
}

const WIDE_FIELDS = new Set(['learningOutcomesNb', 'learningOutcomesEn'])

function editField (lang: Lang, name: keyof OfferingEdit, value: string, errors: readonly string[] | undefined): string {
  const t = TEXTS
  const id = `f-${name}`
  const hint = t.hint[name]?.[lang]
  const describedBy = [...(hint === undefined ? [] : [`${id}-hint`]), ...(errors === undefined ? [] : [`${id}-error`])].join(' ')
  const aria = `${describedBy === '' ? '' : ` aria-describedby="${describedBy}"`}${errors === undefined ? '' : ' aria-invalid="true"'}`
  const input = name === 'status'
    ? `<select id="${id}" name="${name}"${aria}>${['active', 'planned', 'discontinued'].map((s) => `<option value="${s}"${s === value ? ' selected' : ''}>${esc(t.statusValue[s]?.[lang] ?? s)}</option>`).join('')}${
      ['active', 'planned', 'discontinued'].includes(value) ? '' : `<option value="${esc(value)}" selected>${esc(value)}</option>`
    }</select>`
    : WIDE_FIELDS.has(name)
    ? `<textarea id="${id}" name="${name}" rows="4" cols="60"${aria}>${esc(value)}</textarea>`
    : `<input id="${id}" name="${name}" value="${esc(value)}"${name === 'validFrom' ? ' inputmode="numeric" autocomplete="off"' : ''}${aria}>`
  return `<div class="field"><label for="${id}">${esc(t.field[name]?.[lang] ?? name)}</label>${hint === undefined ? '' : `<span id="${id}-hint" class="hint">${esc(hint)}</span>`}${
    errors === undefined ? '' : `<span id="${id}-error" class="field-error">${errors.map((e) => `<span lang="en">${esc(e)}</span>`).join(' ')}</span>`
  }${input}</div>`
}

/** One offering: its facts, its history (every version, never rewritten) and — for an editor — the form that makes a new version. */
export function offeringPage (lang: Lang, viewer: Viewer, versions: readonly OfferingVersion[], state: OfferingPageState, canEdit: boolean): ShellPage {
  const t = TEXTS
  const latest = versions.reduce((a, b) => (b.seq > a.seq ? b : a))
  const o = latest.offering
  const errorCount = Object.values(state.errors).reduce((n, list) => n + (list?.length ?? 0), 0)
  const summary = errorCount === 0
    ? ''
    : `<div class="notice" role="alert" id="form-errors"><p>${esc(fill(t.formErrors[lang], { n: errorCount }))}</p><ul>${
      EDIT_FIELDS.flatMap((f) => (state.errors[f] ?? []).map((e) => `<li><a href="#f-${f}">${esc(t.field[f]?.[lang] ?? f)}: <span lang="en">${esc(e)}</span></a></li>`)).join('')
    }${(state.errors[''] ?? []).map((e) => `<li lang="en">${esc(e)}</li>`).join('')}</ul></div>`
  const refusal = state.refusal === undefined
    ? ''
    : `<div class="notice" role="alert" id="form-refused"><p>${esc(t.refused[lang])}: <span lang="en">${esc(state.refusal.message)}</span></p><p class="muted"><code data-code="${esc(state.refusal.code)}">${
      esc(state.refusal.code)
    }</code></p></div>`
  const saved = state.saved === undefined ? '' : `<p class="done" role="status" id="saved">${esc(state.saved.outcome === 'updated' ? fill(t.saved[lang], { seq: state.saved.seq }) : t.unchanged[lang])}</p>`
  const facts = `<dl class="facts"><dt>${esc(t.kind[lang])}</dt><dd>${esc(o.kind)}</dd><dt>${esc(t.code[lang])}</dt><dd><code>${esc(o.localCode)}</code> v${esc(o.localVersion)}</dd><dt>${esc(t.nationalId[lang])}</dt><dd><code>${
    esc(o.id)
  }</code></dd><dt>${esc(t.version[lang])}</dt><dd>${latest.seq}</dd><dt>${esc(t.validFrom[lang])}</dt><dd>${esc(formatDate(latest.validFrom, lang))}</dd></dl>`
  const history = [...versions].sort((a, b) => b.seq - a.seq).map((v) =>
    `<li><time datetime="${esc(v.validFrom)}">${esc(fill(t.versionItem[lang], { seq: v.seq, from: formatDate(v.validFrom, lang), at: formatDateTime(v.recordedAt, lang) }))}</time>${localText(v.offering.name, lang)}, ${
      esc(formatNumber(v.offering.credits, lang))
    } ${esc(t.field.credits?.[lang] ?? '')}</li>`
  ).join('')
  const form = canEdit
    ? `<section aria-labelledby="edit-heading"><h2 id="edit-heading">${esc(t.edit[lang])}</h2><p>${esc(t.editExplain[lang])}</p>${summary}${refusal}
<form method="post" action="/workbench/catalogue/${esc(o.id)}" novalidate>${csrfField(viewer.csrf)}
${EDIT_FIELDS.map((f) => editField(lang, f, state.form[f], state.errors[f])).join('\n')}
<div class="actions"><button type="submit" id="save">${esc(t.save[lang])}</button></div></form></section>`
    : `<p class="info">${esc(t.viewOnly[lang])}</p>`
  const body = `${saved}${facts}${form}<section aria-labelledby="history-heading"><h2 id="history-heading">${esc(t.history[lang])}</h2><p>${esc(t.historyExplain[lang])}</p><ol class="timeline">${history}</ol></section>`
  return page(lang, plainName(o.name, lang), `/workbench/catalogue/${o.id}`, body, viewer, '/workbench/catalogue')
}

function plainName (name: OfferingVersion['offering']['name'], lang: Lang): string {
  return plainText(name, lang)
}

function jobLine (lang: Lang, job: ImportJob): string {
  const t = TEXTS
  const kind = job.kind === 'catalogue' ? t.kindCatalogue[lang] : t.kindResults[lang]
  const state = job.state === 'running' ? t.phase[job.progress.phase]?.[lang] ?? job.progress.phase : job.state === 'done' ? t.phase.done?.[lang] : t.phase.failed?.[lang]
  return `<li class="card"><h3><a href="/workbench/imports/${esc(job.id)}">${esc(kind)}: ${esc(job.fileName)}</a></h3><p>${esc(state ?? '')}. ${
    esc(fill(t.startedBy[lang], { file: job.fileName, staff: job.staff, at: formatDateTime(job.startedAt, lang) }))
  }</p></li>`
}

function uploadForm (lang: Lang, viewer: Viewer, kind: 'catalogue' | 'results', allowed: boolean): string {
  const t = TEXTS
  const title = kind === 'catalogue' ? t.importCatalogue[lang] : t.importResults[lang]
  const explain = kind === 'catalogue' ? t.importCatalogueExplain[lang] : t.importResultsExplain[lang]
  if (!allowed) return `<section aria-labelledby="${kind}-heading"><h2 id="${kind}-heading">${esc(title)}</h2><p class="info">${esc(t.noImportRole[lang])}</p></section>`
  const format = kind === 'catalogue'
    ? `<div class="field"><label for="${kind}-format">${esc(t.format[lang])}</label><select id="${kind}-format" name="format"><option value="csv">CSV</option><option value="json">JSON</option></select></div>`
    : ''
  return `<section aria-labelledby="${kind}-heading"><h2 id="${kind}-heading">${esc(title)}</h2><p id="${kind}-explain">${esc(explain)}</p>
<form method="post" action="/workbench/imports/${kind}" enctype="multipart/form-data">${csrfField(viewer.csrf)}
<div class="field"><label for="${kind}-file">${esc(t.file[lang])}</label><input type="file" id="${kind}-file" name="file" required aria-describedby="${kind}-explain" accept="${
  kind === 'catalogue' ? '.csv,.json,text/csv,application/json' : '.json,application/json'
}"></div>
${format}<div class="actions"><button type="submit" id="${kind}-start">${esc(t.start[lang])}</button></div></form></section>`
}

/** The imports: a form for each kind the viewer's roles allow, and the recent jobs. */
export function importsPage (lang: Lang, viewer: Viewer, jobs: readonly ImportJob[]): ShellPage {
  const t = TEXTS
  const may = viewer.member.permissions
  const body = `${uploadForm(lang, viewer, 'catalogue', may.includes('catalogue.import'))}${uploadForm(lang, viewer, 'results', may.includes('results.import'))}
<h2>${esc(t.recentImports[lang])}</h2>${jobs.length === 0 ? `<p>${esc(t.noImports[lang])}</p>` : `<ul class="cards">${jobs.map((j) => jobLine(lang, j)).join('')}</ul>`}`
  return page(lang, t.imports[lang], '/workbench/imports', body, viewer, '/workbench/imports')
}

/** One import: its progress while it runs (the page reloads itself when it ends), then its report or every problem. */
export function importPage (lang: Lang, viewer: Viewer, job: ImportJob): ShellPage {
  const t = TEXTS
  const phase = t.phase[job.progress.phase]?.[lang] ?? job.progress.phase
  const progressText = fill(t.progressText[lang], { phase, done: job.progress.done, total: job.progress.total })
  const progress = `<div class="field"><label for="progress">${esc(t.progress[lang])}</label><progress id="progress" max="${Math.max(1, job.progress.total)}" value="${job.progress.done}" aria-describedby="progress-text">${
    esc(progressText)
  }</progress><span id="progress-text" class="hint">${esc(progressText)}</span></div>`
  let outcome: string
  if (job.state === 'running') {
    outcome = `<p class="info" role="status" data-poll="/workbench/imports/${esc(job.id)}">${esc(t.running[lang])}</p><p><a href="/workbench/imports/${esc(job.id)}">${esc(t.refresh[lang])}</a></p>`
  } else if (job.state === 'done') {
    outcome = `<p class="done" role="status" id="import-done">${esc(t.importDone[lang])}</p><h2>${esc(t.report[lang])}</h2><dl class="facts" id="report">${
      Object.entries(job.report ?? {}).map(([k, v]) => `<dt>${esc(t.reportKey[k]?.[lang] ?? k)}</dt><dd>${esc(formatNumber(v, lang))}</dd>`).join('')
    }</dl>`
  } else {
    const problems = job.error?.problems ?? []
    outcome = `<div class="notice" role="alert" id="import-failed"><p>${esc(fill(t.importFailed[lang], { n: Math.max(1, problems.length) }))}</p><p lang="en">${esc(job.error?.message ?? '')}</p><p class="muted"><code data-code="${
      esc(job.error?.code ?? '')
    }">${esc(job.error?.code ?? '')}</code></p></div>${
      problems.length === 0
        ? ''
        : `<h2>${esc(t.problems[lang])}</h2><table id="problems"><thead><tr><th scope="col">${esc(t.where[lang])}</th><th scope="col">${esc(t.what[lang])}</th></tr></thead><tbody>${
          problems.slice(0, 1000).map((p) => `<tr><td><code>${esc(p.path)}</code></td><td>${p.code === undefined ? '' : `<code>${esc(p.code)}</code> `}<span lang="en">${esc(p.message)}</span></td></tr>`).join('')
        }</tbody></table>`
    }`
  }
  const body = `<p>${esc(fill(t.startedBy[lang], { file: job.fileName, staff: job.staff, at: formatDateTime(job.startedAt, lang) }))}</p>${progress}${outcome}`
  return page(lang, fill(t.importTitle[lang], { id: job.id }), `/workbench/imports/${job.id}`, body, viewer, '/workbench/imports', job.state === 'running' ? ['/assets/wait.ts'] : undefined)
}

/** The index outbox: pointers waiting, sent, refused. */
export function outboxPage (lang: Lang, viewer: Viewer, status: { pending: number, sent: number, rejected: number, lastError?: string }): ShellPage {
  const t = TEXTS
  const body = `<p>${esc(t.outboxExplain[lang])}</p><dl class="facts" id="outbox"><dt>${esc(t.pending[lang])}</dt><dd id="pending">${esc(formatNumber(status.pending, lang))}</dd><dt>${esc(t.sent[lang])}</dt><dd id="sent">${
    esc(formatNumber(status.sent, lang))
  }</dd><dt>${esc(t.rejected[lang])}</dt><dd>${esc(formatNumber(status.rejected, lang))}</dd>${status.lastError === undefined ? '' : `<dt>${esc(t.lastError[lang])}</dt><dd><code>${esc(status.lastError)}</code></dd>`}</dl>`
  return page(lang, t.outbox[lang], '/workbench/outbox', body, viewer, '/workbench/outbox')
}

/** The node's latest checkpoints, each with the witnesses that cosigned it, by name. */
export function checkpointsPage (lang: Lang, viewer: Viewer, checkpoints: readonly CheckpointView[]): ShellPage {
  const t = TEXTS
  const items = checkpoints.map((c) =>
    `<li class="card"><h2>${esc(fill(t.checkpointItem[lang], { size: formatNumber(c.size, lang) }))}</h2><dl class="facts"><dt>${esc(t.root[lang])}</dt><dd><code>${esc(c.root)}</code></dd><dt>${esc(t.cosignedBy[lang])}</dt><dd>${
      c.cosigners.length === 0
        ? esc(t.notCosigned[lang])
        : `<ul class="plain">${c.cosigners.map((s) => `<li>${esc(s.name)}${s.at === undefined ? '' : ` (<time datetime="${new Date(s.at * 1000).toISOString()}">${esc(formatDateTime(s.at * 1000, lang))}</time>)`}</li>`).join('')}</ul>`
    }</dd></dl></li>`
  ).join('')
  const body = `<p>${esc(t.checkpointsExplain[lang])}</p>${checkpoints.length === 0 ? `<p>${esc(t.noCheckpoints[lang])}</p>` : `<ul class="cards" id="checkpoints">${items}</ul>`}`
  return page(lang, t.checkpoints[lang], '/workbench/checkpoints', body, viewer, '/workbench/checkpoints')
}

/** The development identity provider's page: choose a staff member to sign in as. */
export function devSignInPage (lang: Lang, here: string, staff: readonly StaffMemberConfig[], params: Record<string, string>): ShellPage {
  const t = TEXTS
  const hidden = Object.entries(params).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('')
  const options = staff.map((s) =>
    `<li class="card"><form method="post" action="/workbench/dev-sign-in/authorize">${hidden}<input type="hidden" name="staff" value="${esc(s.id)}"><button type="submit" id="staff-${esc(s.id)}">${esc(t.signInAs[lang])} ${
      esc(s.name)
    }</button></form><p class="muted">${esc(roleNames(lang, s.roles))}</p></li>`
  ).join('')
  const body = `<div class="dev" role="note"><p><strong>${esc(t.devTitle[lang])}</strong></p><p>${esc(t.devExplain[lang])}</p></div><h2>${esc(t.chooseStaff[lang])}</h2><ul class="cards">${options}</ul>`
  return { lang, title: t.devTitle[lang], here, body, site: DEV_SITE }
}
