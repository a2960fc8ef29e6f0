/**
 * The proof checker page (/verify): the reader drops a share's proof file or its PDF transcript,
 * and this checks it here, in the browser, against the federation's trust anchor with
 * verify-proofs.ts — nothing is uploaded. The anchor is the one the page carries (its
 * fingerprint computed here, to compare with the one the operator publishes), or one the reader
 * chooses from a file; the signatures are required as the reader's policy says (Ed25519 only, or
 * Ed25519 and ML-DSA-65). Texts come from the page (`data-texts`), in its language.
 */
import { doc, esc, type DomEvent, type Element, type FileLike } from './dom.ts'
import { fromBase64, fromUtf8 } from './bytes.ts'
import { anchorFingerprint, parseAnchor, proofSetOfFile, verifyProofSet, type Anchor, type BundleReport, type SignaturePolicy } from './verify-proofs.ts'
import type { VerifierTexts } from './verifier-texts.ts'

const root = doc().getElementById('verifier')
if (root !== null) start(root)

function start (root: Element): void {
  const texts = JSON.parse(fromUtf8(fromBase64(root.dataset.texts ?? '') ?? new Uint8Array())) as VerifierTexts
  const lang = doc().documentElement.lang
  const locale = lang === 'en' ? 'en-GB' : lang === 'nn' ? 'nn-NO' : 'nb-NO'
  const outcome = doc().getElementById('outcome') as Element
  const anchorInfo = doc().getElementById('anchor-info') as Element
  const drop = doc().getElementById('drop') as Element
  let anchor: Anchor | undefined
  root.hidden = false
  const noScript = doc().getElementById('needs-script')
  if (noScript !== null) noScript.hidden = true

  const showAnchor = async (a: Anchor, own: boolean): Promise<void> => {
    anchor = a
    anchorInfo.innerHTML = `<p>${esc(own ? texts.anchorOwn : texts.anchorPortal)}</p><dl class="facts"><dt>${esc(texts.federation)}</dt><dd><code>${esc(a.federation)}</code></dd><dt>${
      esc(texts.fingerprint)
    }</dt><dd><code id="computed-fingerprint">${esc(await anchorFingerprint(a))}</code></dd></dl>`
  }
  try {
    void showAnchor(parseAnchor(fromUtf8(fromBase64(root.dataset.anchor ?? '') ?? new Uint8Array())), false)
  } catch {
    anchorInfo.innerHTML = `<p class="notice">${esc(texts.noAnchor)}</p>`
  }

  const fileOf = (e: DomEvent): FileLike | undefined => e.dataTransfer?.files[0] ?? e.target?.files?.[0]

  doc().getElementById('anchor-file')?.addEventListener('change', (e) => {
    const file = fileOf(e)
    if (file === undefined) return
    void file.arrayBuffer().then(async (buf) => {
      try {
        await showAnchor(parseAnchor(fromUtf8(new Uint8Array(buf))), true)
      } catch {
        anchorInfo.innerHTML = `<p class="notice" role="alert">${esc(texts.anchorInvalid)}</p>`
        anchor = undefined
      }
    })
  })

  let lastFile: FileLike | undefined
  const check = async (file: FileLike): Promise<void> => {
    lastFile = file
    outcome.innerHTML = `<p>${esc(texts.checking)}</p>`
    let proofs: unknown
    try {
      proofs = await proofSetOfFile(new Uint8Array(await file.arrayBuffer()))
    } catch {
      outcome.innerHTML = `<div class="notice" data-outcome="unreadable"><p><strong>${esc(texts.notProof)}</strong></p></div>`
      return
    }
    // The reader's verifier policy (as lifelong verify --policy); the manifest's threshold applies under both.
    const policy: SignaturePolicy = (doc().getElementById('policy') as (Element & { value?: string }) | null)?.value === 'both-required' ? 'both-required' : 'ed25519-only'
    const report = await verifyProofSet(proofs, anchor === undefined ? [] : [anchor], { policy })
    if (report.problem !== undefined) {
      outcome.innerHTML = `<div class="notice" data-outcome="unreadable"><p><strong>${esc(texts.notProof)}</strong></p></div>`
      return
    }
    const head = report.ok
      ? `<div class="done" data-outcome="verified"><p><strong>${esc(texts.allOk.replace('{n}', String(report.bundles.length)))}</strong></p></div>`
      : `<div class="notice" data-outcome="rejected"><p><strong>${esc(texts.rejected)}</strong></p></div>`
    outcome.innerHTML = `${head}<ol class="cards">${report.bundles.map((b, i) => bundleHtml(b, i)).join('')}</ol>`
  }

  const bundleHtml = (b: BundleReport, i: number): string => {
    const failed = b.checks.find((c) => !c.ok)
    const f = b.facts
    const title = f === undefined ? `${texts.result} ${i + 1}` : (lang === 'en' ? f.title.en ?? f.title.nb : lang === 'nn' ? f.title.nn ?? f.title.nb : f.title.nb ?? f.title.nn) ?? f.title.en ?? ''
    const issuer = f === undefined ? '' : (lang === 'en' ? f.issuer.name.en ?? f.issuer.name.nb : f.issuer.name.nb ?? f.issuer.name.en) ?? ''
    const grade = f === undefined ? '' : f.grades.map((g) => `${texts.gradeValues[g.value] ?? g.value}${g.component === 'final' ? '' : ` (${texts.components[g.component] ?? g.component})`}`).join(', ')
    const facts = f === undefined
      ? ''
      : `<dl class="facts"><dt>${esc(texts.learner)}</dt><dd>${esc(f.learner)}</dd>${grade === '' ? '' : `<dt>${esc(texts.grade)}</dt><dd>${esc(grade)}</dd>`}${
        f.creditsTenths === 0 ? '' : `<dt>${esc(texts.credits)}</dt><dd>${esc(new Intl.NumberFormat(locale).format(f.creditsTenths / 10))}</dd>`
      }<dt>${esc(texts.date)}</dt><dd>${esc(new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'Europe/Oslo' }).format(Date.parse(`${f.achievedOn}T12:00:00Z`)))}</dd><dt>${esc(texts.issuer)}</dt><dd>${esc(issuer)}</dd>${
        b.member === undefined ? '' : `<dt>${esc(texts.vouchedBy)}</dt><dd>${esc(b.member.name)}</dd>`
      }${b.cosigners === undefined ? '' : `<dt>${esc(texts.witnesses)}</dt><dd>${esc(b.cosigners.join(', ') || '–')}</dd>`}${
        b.position === undefined ? '' : `<dt>${esc(texts.logPosition)}</dt><dd>${esc(texts.position.replace('{index}', String(b.position.index)).replace('{size}', String(b.position.treeSize)))}</dd>`
      }</dl>`
    const status = b.ok
      ? `<p class="verified" data-verified="true"><span aria-hidden="true">✔ </span>${esc(texts.resultOk)}</p>`
      : `<p class="flagged" data-verified="false"><span aria-hidden="true">✖ </span>${esc(texts.resultFailed)}: ${esc(texts.checks[failed?.name ?? ''] ?? failed?.name ?? '')}</p><p class="muted" data-check="${
        esc(failed?.name ?? '')
      }"><span lang="en">${esc(failed?.detail ?? '')}</span></p>`
    return `<li class="card"><h3>${esc(title)}</h3>${status}${facts}</li>`
  }

  // Another policy: the same file checked again under it.
  doc().getElementById('policy')?.addEventListener('change', () => {
    if (lastFile !== undefined) void check(lastFile)
  })
  doc().getElementById('proof-file')?.addEventListener('change', (e) => {
    const file = fileOf(e)
    if (file !== undefined) void check(file)
  })
  drop.addEventListener('dragover', (e) => {
    e.preventDefault()
    drop.classList.add('over')
  })
  drop.addEventListener('dragleave', () => {
    drop.classList.remove('over')
  })
  drop.addEventListener('drop', (e) => {
    e.preventDefault()
    drop.classList.remove('over')
    const file = fileOf(e)
    if (file !== undefined) void check(file)
  })
}
