/**
 * Post-quantum hybrid signatures (issue 14 item 1): the cost of ML-DSA-65 beside Ed25519, per
 * checkpoint (the log signs, two witnesses cosign, a verifier opens the note with both
 * cosignatures) and per sealed result (seal, verify the seal), each against Ed25519 alone,
 * measured in the same run with the two variants alternating call by call. Sizes are exact.
 * `HYBRID_BENCH_N=<n>` sets the number of each.
 */
import { loadavg } from 'node:os'
import { randomBytes } from 'node:crypto'
import { generateSigningKey } from '../../src/core/crypto/ed25519.ts'
import { generatePqSigningKey } from '../../src/core/crypto/ml-dsa.ts'
import { formatCheckpoint } from '../../src/core/log/checkpoint.ts'
import { ed25519Cosigner } from '../../src/core/log/cosignature.ts'
import { openHybridCheckpoint, type SignaturePolicy } from '../../src/core/log/hybrid.ts'
import { mlDsaCosigner, mlDsaNoteSigner } from '../../src/core/log/ml-dsa-note.ts'
import { ed25519NoteSigner, parseNote, signNote, type NoteSigner } from '../../src/core/log/note.ts'
import { lifelong } from '../../src/core/gen/proto.js'
import { subjectCommitment } from '../../src/services/registry/results/record.ts'
import { sealPayload } from '../../src/services/registry/results/seal.ts'
import { openSourcedResult } from '../../src/services/registry/results/verify.ts'
import { logKeyOf } from '../../src/services/registry/results/keys.ts'
import { fmt, percentile, type Benchmark, type BenchRow } from './harness.ts'

/** Runs `a` and `b` `n` times each, alternating; the mean µs of each. */
function alternate (n: number, a: (i: number) => unknown, b: (i: number) => unknown): [number, number] {
  for (let i = 0; i < Math.min(50, n); i++) {
    a(i)
    b(i)
  }
  const ta: number[] = []
  const tb: number[] = []
  for (let i = 0; i < n; i++) {
    let t = performance.now()
    a(i)
    ta.push(performance.now() - t)
    t = performance.now()
    b(i)
    tb.push(performance.now() - t)
  }
  const mean = (xs: number[]): number => xs.reduce((x, y) => x + y, 0) / xs.length * 1000
  ta.sort((x, y) => x - y)
  tb.sort((x, y) => x - y)
  // The mean of the middle 90% (load spikes from other work on the machine left out).
  const trimmed = (xs: number[]): number => mean(xs.slice(Math.floor(xs.length * 0.05), Math.ceil(xs.length * 0.95)) || [percentile(xs, 50)])
  return [trimmed(ta), trimmed(tb)]
}

const ORG = '974760673'

const bench: Benchmark = {
  name: 'hybrid',
  title: 'Post-quantum hybrid signatures: ML-DSA-65 beside Ed25519 (issue 14)',
  goal: 'the cost per checkpoint and per sealed result of hybrid signatures against Ed25519 alone (ratios, same run).',
  async run ({ quick, log }) {
    const n = Number(process.env.HYBRID_BENCH_N ?? (quick ? 200 : 2000))
    const load = loadavg()[0]!
    const origin = 'no.lifelong.bench/log/A'
    const logEd = generateSigningKey()
    const logPq = generatePqSigningKey()
    const witnesses = [0, 1].map((i) => ({ name: `no.lifelong.bench/witness/W${i}`, ed: generateSigningKey(), pq: generatePqSigningKey() }))
    const body = (i: number): string => formatCheckpoint({ origin, size: i + 1, root: randomBytes(32), extensions: [] })
    const rows: BenchRow[] = []
    const row = (name: string, hybrid: number, ed: number, unit: string, note?: string): void => {
      rows.push({ name, value: hybrid, unit, baseline: { name: 'Ed25519 alone', value: ed }, ...(note === undefined ? {} : { note }) })
      log(`${name}: ${fmt(hybrid, 1)} ${unit} vs ${fmt(ed, 1)} (×${fmt(hybrid / ed, 2)})`)
    }

    // Per checkpoint: the log signs.
    const edSigner = [ed25519NoteSigner(origin, logEd.privateKey)]
    const hySigner: NoteSigner[] = [...edSigner, mlDsaNoteSigner(origin, logPq)]
    const [signHy, signEd] = alternate(n, (i) => signNote(body(i), hySigner), (i) => signNote(body(i), edSigner))
    row('checkpoint signed by the log', signHy, signEd, 'µs')

    // Per checkpoint: a witness cosigns (the witness's signing work, per witness).
    const text = body(0)
    const w = witnesses[0]!
    const edCos = [ed25519Cosigner(w.name, w.ed.privateKey)]
    const hyCos: NoteSigner[] = [...edCos, mlDsaCosigner(w.name, w.pq)]
    const [cosHy, cosEd] = alternate(n, () => signNote(text, hyCos), () => signNote(text, edCos))
    row('cosignature by one witness', cosHy, cosEd, 'µs')

    // Per checkpoint: a verifier opens it with the log's and two witnesses' signatures.
    const cosignAll = (note: string, hybrid: boolean): string =>
      signNote(parseNote(note), witnesses.flatMap((x) => hybrid ? [ed25519Cosigner(x.name, x.ed.privateKey), mlDsaCosigner(x.name, x.pq)] : [ed25519Cosigner(x.name, x.ed.privateKey)]))
    const hyNote = cosignAll(signNote(text, hySigner), true)
    const edNote = cosignAll(signNote(text, edSigner), false)
    const keys = { ed25519: logEd.publicKeyRaw, mlDsa: logPq.publicKeyRaw }
    const hyWitnesses = witnesses.map((x) => ({ name: x.name, ed25519: x.ed.publicKeyRaw, mlDsa: x.pq.publicKeyRaw }))
    const edWitnesses = witnesses.map((x) => ({ name: x.name, ed25519: x.ed.publicKeyRaw }))
    const open = (note: string, ks: typeof keys | { ed25519: Uint8Array }, ws: typeof edWitnesses, policy: SignaturePolicy): void => {
      if (openHybridCheckpoint(note, origin, ks, ws, policy).witnesses.length !== 2) throw new Error('bench: cosignatures did not verify')
    }
    const [openHy, openEd] = alternate(n, () => {
      open(hyNote, keys, hyWitnesses, 'both-required')
    }, () => {
      open(edNote, { ed25519: logEd.publicKeyRaw }, edWitnesses, 'ed25519-only')
    })
    row('checkpoint with 2 cosignatures verified', openHy, openEd, 'µs', 'both-required against ed25519-only')
    const bytes = (s: string): number => Buffer.byteLength(s)
    row('checkpoint note with 2 cosignatures', bytes(hyNote), bytes(edNote), 'bytes')

    // Per sealed result.
    const payloads = Array.from({ length: Math.min(n, 500) }, (_, i) =>
      lifelong.results.ResultRecord.encode({
        resultId: `r${i}`,
        version: 1,
        status: 'issued',
        kind: 'course-result',
        offeringId: `O-${i}`,
        title: { nb: `Emne ${i}`, nn: '', en: '' },
        issuer: { institutionId: 'I-1', organisationNumber: ORG, name: { nb: 'Universitetet', nn: '', en: '' }, dbhCode: '', fsNumber: '' },
        subject: { givenNames: 'Kari', familyName: 'Nordmann', birthDate: '1999-03-14', identifierCommitment: subjectCommitment(randomBytes(32), { scheme: 'national-id', value: '14839940026' }) },
        achievedOn: '2024-12-10',
        recordedBy: ORG,
        grades: [{ scale: 'A-F', value: 'B', component: 'final' }],
        creditsTenths: 100
      }).finish())
    const p = (i: number): Uint8Array => payloads[i % payloads.length] as Uint8Array
    const pq = { privateKey: logPq.privateKey, publicKeyRaw: logPq.publicKeyRaw }
    const [sealHy, sealEd] = alternate(n, (i) => sealPayload(logEd.privateKey, logEd.publicKeyRaw, p(i), pq), (i) => sealPayload(logEd.privateKey, logEd.publicKeyRaw, p(i)))
    row('result sealed', sealHy, sealEd, 'µs')
    const hySeals = payloads.map((x) => sealPayload(logEd.privateKey, logEd.publicKeyRaw, x, pq).envelope)
    const edSeals = payloads.map((x) => sealPayload(logEd.privateKey, logEd.publicKeyRaw, x).envelope)
    const source = { peerId: 'A', organisationNumber: ORG, publicKey: logEd.publicKeyRaw, mlDsaPublicKey: logPq.publicKeyRaw }
    const check = (env: Uint8Array, i: number, policy: SignaturePolicy): void => {
      if (!openSourcedResult(env, source, logKeyOf(`r${i % payloads.length}`, 1), policy).ok) throw new Error('bench: seal did not verify')
    }
    const [verHy, verEd] = alternate(n, (i) => {
      check(hySeals[i % hySeals.length] as Uint8Array, i, 'both-required')
    }, (i) => {
      check(edSeals[i % edSeals.length] as Uint8Array, i, 'ed25519-only')
    })
    row('sealed result verified', verHy, verEd, 'µs', 'both-required against ed25519-only')
    const meanBytes = (xs: Uint8Array[]): number => xs.reduce((a, x) => a + x.length, 0) / xs.length
    row('sealed result envelope', meanBytes(hySeals), meanBytes(edSeals), 'bytes')

    return {
      rows,
      notes: [
        `${n} of each, hybrid and Ed25519 alone alternating call by call, mean of the middle 90%; load average ${fmt(load, 2)} at the start (the machine is shared).`,
        'ML-DSA-65 through Node 24\'s crypto (OpenSSL 3.5): signing is hedged, so its time varies per message; verification is a fixed cost per signature.',
        'Per checkpoint the log signs once and each witness cosigns once; a checkpoint is signed at most every `log.checkpointIntervalMs` (60 s) or 1000 entries, so the extra cost is per checkpoint, not per entry. A sealed result pays it per result version.'
      ]
    }
  }
}

export default bench
