/**
 * The proof verifier that runs in the reader's browser (and in Node, where the tests run it
 * against the node's own verifier): a share's proof set (`lifelong-result-proofs/v1`) checked
 * against a pinned federation trust anchor with WebCrypto, the same checks as
 * src/core/log/bundle.ts and src/services/registry/results/bundle.ts, in the same order, failing
 * closed at the first that fails:
 *
 * 1. the bundle's manifest is signed (Ed25519, domain `lifelong/manifest/v1`) by an operator key
 *    of the anchor, for its federation, issued within its validity;
 * 2. the log's verifier key is that of a member of that manifest, and the origin is its log;
 * 3. the checkpoint note is signed by the log's key; cosignatures (cosignature/v1) of the log's
 *    witnesses under the manifest's witness set are counted, and at least the manifest's k-of-n
 *    threshold (or the reader's minimum) must be there;
 * 4. the leaf commits (salted SHA-256) to the entry's type, key and record, and the RFC 9162
 *    inclusion proof leads from it to the checkpoint's root;
 * 5. the member was a member when the entry was logged;
 * 6. the record is a result signed (domain `lifelong/result/v1`) by the log's key, recorded by
 *    that member's organisation, and the log key names that result version.
 *
 * Under the verifier policy `both-required` (as `lifelong verify --policy both-required`,
 * docs/SECURITY.md §Post-quantum hybrid signatures) the manifest, the checkpoint, every counted
 * cosignature and the result seal must also carry a valid ML-DSA-65 signature by the key the
 * anchor or the manifest names; under `ed25519-only` those signatures are checked when present
 * and a failing one rejects, as in src/core/log/hybrid.ts. Signed-note rules as there: a
 * signature line of a known key that does not verify rejects the checkpoint.
 *
 * Nothing is fetched or sent anywhere. Who the log and the witnesses are comes from the anchored
 * manifest, never from the bundle's own hints.
 */
import { concat, ed25519Verify, equal, fromBase64, fromUtf8, ML_DSA_65_PUBLIC_KEY_LENGTH, ML_DSA_65_SIGNATURE_LENGTH, mlDsa65Verify, sha256, toBase58, toBase64, toHex, utf8, uvarint } from './bytes.ts'
import { logWitnesses, type WitnessPolicy } from './witness-set.ts'
import { Message } from './protobuf.ts'
import { CheckError } from './check-error.ts'

export interface Check {
  name: string
  ok: boolean
  detail: string
}

/** A pinned trust anchor (`lifelong-trust-anchor/v1`). */
export interface Anchor {
  federation: string
  operatorKeys: Uint8Array[]
  /** The operator's ML-DSA-65 keys (raw, 1,952 bytes), in a hybrid federation. */
  operatorMlDsaKeys: Uint8Array[]
  validFrom: number
  validUntil: number
}

export interface Member {
  peerId: string
  publicKey: Uint8Array
  /** Raw ML-DSA-65 key of a member that signs hybrid (Member field 10). */
  mlDsaPublicKey?: Uint8Array
  organisationNumber: string
  name: string
  validFrom: number
  validTo: number
  /** Its first key's peer ID, which names its log and its witness name (docs/LOG.md §Node key rotation). */
  identity: string
  /** Its node keys over time, each with its period. */
  keys: MemberKey[]
}

/** One key of a member's history. */
export interface MemberKey {
  peerId: string
  publicKey: Uint8Array
  /** Its ML-DSA-65 key, if the member signed hybrid with it. */
  mlDsaPublicKey?: Uint8Array
  validFrom: number
  validTo: number
}

/** One key of the operator key chain (src/core/federation/operator-keys.ts). */
interface OperatorKey {
  ed25519: Uint8Array
  mlDsa: Uint8Array
  validFrom: number
  validTo: number
  introducedBy: Uint8Array
  signature: Uint8Array
}

/** What the reader requires of signatures (src/core/crypto/policy.ts). */
export type SignaturePolicy = 'ed25519-only' | 'both-required'

export interface VerifyOptions {
  /** Default `ed25519-only`. */
  policy?: SignaturePolicy
  /** Fewest cosignatures of the log's witnesses; the manifest's threshold is the least (default 0). */
  minCosignatures?: number
}

/** What a verified result says (the learner's birth date is not shown: the share may not include it). */
export interface ResultFacts {
  resultId: string
  version: number
  status: string
  kind: string
  title: { nb?: string, nn?: string, en?: string }
  localCode: string
  learner: string
  issuer: { organisationNumber: string, name: { nb?: string, nn?: string, en?: string } }
  achievedOn: string
  grades: Array<{ scale: string, value: string, component: string }>
  /** Tenths of a credit (ECTS/studiepoeng). */
  creditsTenths: number
}

export interface BundleReport {
  ok: boolean
  checks: Check[]
  member?: Member
  facts?: ResultFacts
  position?: { index: number, treeSize: number, origin: string, loggedAt: number }
  cosigners?: string[]
}

export interface ProofSetReport {
  ok: boolean
  /** Set when the file is not a proof set at all. */
  problem?: string
  bundles: BundleReport[]
}

const ANCHOR_FORMAT = 'lifelong-trust-anchor/v1'
const BUNDLE_FORMAT = 'lifelong-proof-bundle/v1'
const SET_FORMAT = 'lifelong-result-proofs/v1'
const ML_DSA_NOTE_IDENTIFIER = 'lifelong/ml-dsa-65/note/v1'
const ML_DSA_COSIGNATURE_IDENTIFIER = 'lifelong/ml-dsa-65/cosignature/v1'
const ML_DSA_NOTE_CONTEXT = 'lifelong/note/v1'
const ML_DSA_COSIGNATURE_CONTEXT = 'lifelong/cosignature/v1'
const MANIFEST_DOMAIN = 'lifelong/manifest/v1'
const MANIFEST_TYPE = 'lifelong.federation.FederationManifest'
const RESULT_DOMAIN = 'lifelong/result/v1'
const RESULT_TYPE = 'lifelong.results.ResultRecord'
const RESULT_ENTRY_TYPE = 'results.result-version'
const EM_DASH_SPACE = '\u2014 '
const MAX_BUNDLES = 500
const iso = (ms: number): string => new Date(ms).toISOString()

/** "ed25519:<base64>" → 32 raw bytes. */
function parseKey (text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !text.startsWith('ed25519:')) return undefined
  const raw = fromBase64(text.slice(8))
  return raw?.length === 32 ? raw : undefined
}

/** "ml-dsa-65:<base64>" → 1,952 raw bytes. */
function parseMlDsaKey (text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || !text.startsWith('ml-dsa-65:')) return undefined
  const raw = fromBase64(text.slice(10))
  return raw?.length === ML_DSA_65_PUBLIC_KEY_LENGTH ? raw : undefined
}

/** Parses an anchor document; throws with what is wrong. */
export function parseAnchor (text: string): Anchor {
  const doc = JSON.parse(text) as Record<string, unknown>
  if (doc === null || typeof doc !== 'object' || doc.format !== ANCHOR_FORMAT) throw new CheckError('VERIFY_ANCHOR_MALFORMED', `not a ${ANCHOR_FORMAT} document`)
  const federation = typeof doc.federation === 'string' && /^[a-z0-9][a-z0-9.-]{0,99}$/.test(doc.federation) ? doc.federation : undefined
  const keys = Array.isArray(doc.operatorKeys) ? doc.operatorKeys.map(parseKey) : []
  const mlDsaKeys = doc.operatorMlDsaKeys === undefined ? [] : Array.isArray(doc.operatorMlDsaKeys) && doc.operatorMlDsaKeys.length > 0 ? doc.operatorMlDsaKeys.map(parseMlDsaKey) : [undefined]
  const validFrom = typeof doc.validFrom === 'string' ? Date.parse(doc.validFrom) : NaN
  const validUntil = typeof doc.validUntil === 'string' ? Date.parse(doc.validUntil) : NaN
  if (
    federation === undefined || keys.length === 0 || keys.length > 16 || keys.some((k) => k === undefined) || mlDsaKeys.length > 16 || mlDsaKeys.some((k) => k === undefined) || Number.isNaN(validFrom) ||
    Number.isNaN(validUntil) || validUntil <= validFrom
  ) {
    throw new CheckError('VERIFY_ANCHOR_MALFORMED', 'the trust anchor is malformed')
  }
  return { federation, operatorKeys: keys as Uint8Array[], operatorMlDsaKeys: mlDsaKeys as Uint8Array[], validFrom, validUntil }
}

/** `sha256:<hex>` of the anchor's canonical form, as `lifelong trust` prints it (src/core/federation/anchor.ts). */
export async function anchorFingerprint (anchor: Anchor): Promise<string> {
  const canonical = JSON.stringify(
    {
      format: ANCHOR_FORMAT,
      federation: anchor.federation,
      operatorKeys: anchor.operatorKeys.map((k) => `ed25519:${toBase64(k)}`).sort(),
      ...(anchor.operatorMlDsaKeys.length === 0 ? {} : { operatorMlDsaKeys: anchor.operatorMlDsaKeys.map((k) => `ml-dsa-65:${toBase64(k)}`).sort() }),
      validFrom: iso(anchor.validFrom),
      validUntil: iso(anchor.validUntil)
    },
    null,
    2
  ) + '\n'
  return `sha256:${toHex(await sha256(utf8(canonical)))}`
}

/** The bytes an envelope signs: uvarint-length-prefixed domain, payload type and payload (src/core/crypto/signed-data.ts). */
function signedData (domain: string, type: string, payload: Uint8Array): Uint8Array {
  const d = utf8(domain)
  const t = utf8(type)
  return concat(uvarint(d.length), d, uvarint(t.length), t, uvarint(payload.length), payload)
}

interface Envelope {
  publicKey: Uint8Array
  payloadType: string
  payload: Uint8Array
  signature: Uint8Array
  /** The ML-DSA-65 half of a hybrid envelope (fields 5 and 6), both empty otherwise. */
  mlDsaPublicKey: Uint8Array
  mlDsaSignature: Uint8Array
}

function decodeEnvelope (bytes: Uint8Array): Envelope {
  const m = new Message(bytes)
  const env = { publicKey: m.bytes(1), payloadType: m.string(2), payload: m.bytes(3), signature: m.bytes(4), mlDsaPublicKey: m.bytes(5), mlDsaSignature: m.bytes(6) }
  if (env.publicKey.length !== 32 || env.signature.length !== 64 || env.payloadType === '') throw new CheckError('VERIFY_PROOF_MALFORMED', 'not a signed envelope')
  const hybrid = env.mlDsaPublicKey.length !== 0 || env.mlDsaSignature.length !== 0
  if (hybrid && (env.mlDsaPublicKey.length !== ML_DSA_65_PUBLIC_KEY_LENGTH || env.mlDsaSignature.length !== ML_DSA_65_SIGNATURE_LENGTH)) {
    throw new CheckError('VERIFY_PROOF_MALFORMED', 'the envelope\'s ML-DSA-65 key or signature is of the wrong length')
  }
  return env
}

/** Whether an envelope's ML-DSA-65 half holds (the domain is its FIPS 204 context, src/core/crypto/envelope.ts). */
async function envelopeMlDsaValid (env: Envelope, domain: string): Promise<boolean> {
  return await mlDsa65Verify(env.mlDsaPublicKey, domain, signedData(domain, env.payloadType, env.payload), env.mlDsaSignature)
}

/** An Ed25519 peer ID's public key: identity multihash of a libp2p PublicKey { Type = Ed25519, Data }. */
function peerKey (peerId: Uint8Array): Uint8Array | undefined {
  if (peerId.length !== 38 || peerId[0] !== 0x00 || peerId[1] !== 0x24) return undefined
  const key = new Message(peerId.subarray(2))
  const data = key.bytes(2)
  return key.number(1) === 1 && data.length === 32 ? data : undefined
}

function decodeMembers (payload: Uint8Array): { federation: string, serial: number, issuedAt: number, members: Member[], operatorKeys: OperatorKey[], witnessing?: WitnessPolicy } {
  const m = new Message(payload)
  const members = m.repeated(5).map((bytes) => {
    const x = new Message(bytes)
    const id = x.bytes(1)
    const publicKey = peerKey(id)
    if (publicKey === undefined) throw new CheckError('VERIFY_PROOF_MALFORMED', 'a member\'s peer ID is not an Ed25519 peer ID')
    const mlDsa = x.bytes(10)
    if (mlDsa.length !== 0 && mlDsa.length !== ML_DSA_65_PUBLIC_KEY_LENGTH) throw new CheckError('VERIFY_PROOF_MALFORMED', 'a member\'s ML-DSA-65 key is of the wrong length')
    const validFrom = x.number(7)
    const validTo = x.number(8)
    // Its key history (field 11), oldest first; without one, its single key for the whole membership.
    const history = x.repeated(11).map((k) => {
      const e = new Message(k)
      const key = peerKey(e.bytes(1))
      if (key === undefined) throw new CheckError('VERIFY_PROOF_MALFORMED', 'a key of a member\'s history is not an Ed25519 peer ID')
      const pq = e.bytes(2)
      if (pq.length !== 0 && pq.length !== ML_DSA_65_PUBLIC_KEY_LENGTH) throw new CheckError('VERIFY_PROOF_MALFORMED', 'an ML-DSA-65 key of a member\'s history is of the wrong length')
      return { peerId: toBase58(e.bytes(1)), publicKey: key, ...(pq.length === 0 ? {} : { mlDsaPublicKey: pq }), validFrom: e.number(3), validTo: e.number(4) === 0 ? validTo : e.number(4) }
    })
    const keys = history.length > 0 ? history : [{ peerId: toBase58(id), publicKey, ...(mlDsa.length === 0 ? {} : { mlDsaPublicKey: mlDsa }), validFrom, validTo }]
    return { peerId: toBase58(id), publicKey, ...(mlDsa.length === 0 ? {} : { mlDsaPublicKey: mlDsa }), organisationNumber: x.string(2), name: x.string(3), validFrom, validTo, identity: keys[0]?.peerId ?? toBase58(id), keys }
  })
  const operatorKeys = m.repeated(7).map((bytes) => {
    const k = new Message(bytes)
    return { ed25519: k.bytes(1), mlDsa: k.bytes(2), validFrom: k.number(3), validTo: k.number(4) === 0 ? Number.MAX_SAFE_INTEGER : k.number(4), introducedBy: k.bytes(5), signature: k.bytes(6) }
  })
  // The pool may name a member by any key of its history: by its identity from here on.
  const identityOf = new Map(members.flatMap((x) => x.keys.map((k) => [k.peerId, x.identity] as const)))
  const w = m.bytes(6)
  const policy = w.length === 0 ? undefined : new Message(w)
  const witnessing = policy === undefined ? undefined : { pool: policy.repeated(1).map((p) => identityOf.get(toBase58(p)) ?? toBase58(p)), perLog: policy.number(2), threshold: policy.number(3) }
  return { federation: m.string(1), serial: m.number(2), issuedAt: m.number(3), members, operatorKeys, ...(witnessing === undefined ? {} : { witnessing }) }
}

/** The introduction bytes an operator key's introducer signed (src/core/federation/operator-keys.ts). */
function introductionMessage (federation: string, k: OperatorKey): Uint8Array {
  const len = new Uint8Array(2)
  new DataView(len.buffer).setUint16(0, k.mlDsa.length)
  const from = new Uint8Array(8)
  new DataView(from.buffer).setBigUint64(0, BigInt(k.validFrom))
  return concat(utf8(`lifelong/operator-key/v1\0${federation}\0`), k.ed25519, len, k.mlDsa, from)
}

/**
 * The manifest's signer among the keys the anchor pins or, through the operator key chain, among
 * the keys introduced from them (Ed25519 introductions, the checks this verifier makes), with its
 * chain entry if the manifest has a chain.
 */
async function operatorSigner (federation: string, chain: readonly OperatorKey[], pinned: readonly Uint8Array[], signer: Uint8Array): Promise<{ entry?: OperatorKey } | undefined> {
  const trusted: OperatorKey[] = []
  for (const k of chain) {
    const by = trusted.find((t) => equal(t.ed25519, k.introducedBy))
    if (pinned.some((p) => equal(p, k.ed25519))) trusted.push(k)
    else if (by !== undefined && k.validFrom >= by.validFrom && k.validFrom <= by.validTo && k.signature.length === 64 && await ed25519Verify(by.ed25519, introductionMessage(federation, k), k.signature)) trusted.push(k)
  }
  const entry = trusted.find((t) => equal(t.ed25519, signer))
  if (entry !== undefined) return { entry }
  return chain.length === 0 && pinned.some((p) => equal(p, signer)) ? {} : undefined
}

/** The key ID of a note verifier key: SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4] (C2SP signed-note). */
async function keyId (name: string, type: number, key: Uint8Array): Promise<number> {
  const d = await sha256(utf8(name), Uint8Array.of(0x0a, type), key)
  return new DataView(d.buffer, d.byteOffset, 4).getUint32(0)
}

/** The key ID of an ML-DSA-65 note key: type 0xff and identifier ‖ key as its material (src/core/log/ml-dsa-note.ts). */
async function mlDsaKeyId (name: string, identifier: string, key: Uint8Array): Promise<number> {
  return await keyId(name, 0xff, concat(utf8(identifier), key))
}

/** A signature line the verifier knows the key of: what it is, and whether it holds. */
interface KnownKey {
  name: string
  keyId: number
  verify: (text: string, signature: Uint8Array) => Promise<boolean>
}

/** A timestamped cosignature (c2sp.org/tlog-cosignature): 8-byte time ‖ signature over `cosignature/v1\ntime <t>\n<body>`. */
function cosignatureParts (signature: Uint8Array, length: number): { time: number, message: (text: string) => Uint8Array, signature: Uint8Array } | undefined {
  if (signature.length !== 8 + length) return undefined
  const view = new DataView(signature.buffer, signature.byteOffset, 8)
  const time = view.getUint32(0) * 2 ** 32 + view.getUint32(4)
  if (!Number.isSafeInteger(time)) return undefined
  return { time, message: (text) => utf8(`cosignature/v1\ntime ${time}\n${text}`), signature: signature.subarray(8) }
}

interface NoteSig {
  name: string
  keyId: number
  signature: Uint8Array
}

/** The text and signature lines of a signed note. */
function parseNote (note: string): { text: string, sigs: NoteSig[] } {
  const split = note.lastIndexOf('\n\n')
  if (split < 0 || !note.endsWith('\n')) throw new CheckError('VERIFY_PROOF_MALFORMED', 'not a signed note')
  const text = note.slice(0, split + 1)
  const sigs = note.slice(split + 2, -1).split('\n').map((line) => {
    if (!line.startsWith(EM_DASH_SPACE)) throw new CheckError('VERIFY_PROOF_MALFORMED', 'malformed signature line')
    const rest = line.slice(EM_DASH_SPACE.length)
    const space = rest.indexOf(' ')
    const raw = fromBase64(rest.slice(space + 1))
    if (space < 0 || raw === undefined || raw.length <= 4) throw new CheckError('VERIFY_PROOF_MALFORMED', 'malformed signature line')
    return { name: rest.slice(0, space), keyId: new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0), signature: raw.slice(4) }
  })
  return { text, sigs }
}

function parseCheckpoint (text: string): { origin: string, size: number, root: Uint8Array } {
  const lines = text.slice(0, -1).split('\n')
  const [origin = '', size = '', root = ''] = lines
  const rootBytes = fromBase64(root)
  if (lines.length < 3 || !/^(?:0|[1-9][0-9]*)$/.test(size) || rootBytes?.length !== 32) throw new CheckError('VERIFY_PROOF_MALFORMED', 'malformed checkpoint')
  return { origin, size: Number(size), root: rootBytes }
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to from a leaf hash, or undefined. */
async function inclusionRoot (leafHash: Uint8Array, index: number, size: number, proof: readonly Uint8Array[]): Promise<Uint8Array | undefined> {
  if (index >= size || proof.some((p) => p.length !== 32)) return undefined
  let fn = index
  let sn = size - 1
  let r = leafHash
  for (const p of proof) {
    if (sn === 0) return undefined
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r)
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2)
        sn = Math.floor(sn / 2)
      }
    } else {
      r = await sha256(Uint8Array.of(1), r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : undefined
}

interface Leaf {
  type: string
  loggedAt: number
  keyCommitment: Uint8Array
  recordCommitment: Uint8Array
}

function decodeLeaf (bytes: Uint8Array): Leaf {
  const n = bytes[1] ?? 0
  if (bytes[0] !== 0x01 || bytes.length !== 2 + n + 8 + 64) throw new CheckError('VERIFY_PROOF_MALFORMED', 'malformed leaf')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
  return {
    type: String.fromCharCode(...bytes.subarray(2, 2 + n)),
    loggedAt: view.getUint32(2 + n) * 2 ** 32 + view.getUint32(6 + n),
    keyCommitment: bytes.slice(10 + n, 42 + n),
    recordCommitment: bytes.slice(42 + n)
  }
}

function text3 (m: Message): { nb?: string, nn?: string, en?: string } {
  const out: { nb?: string, nn?: string, en?: string } = {}
  if (m.string(1) !== '') out.nb = m.string(1)
  if (m.string(2) !== '') out.nn = m.string(2)
  if (m.string(3) !== '') out.en = m.string(3)
  return out
}

function resultFacts (record: Message): ResultFacts {
  const issuer = record.message(8)
  const subject = record.message(9)
  return {
    resultId: record.string(1),
    version: record.number(2),
    status: record.string(3),
    kind: record.string(4),
    localCode: record.string(6),
    title: text3(record.message(7)),
    learner: `${subject.string(1)} ${subject.string(2)}`.trim(),
    issuer: { organisationNumber: issuer.string(2), name: text3(issuer.message(3)) },
    achievedOn: record.string(10),
    grades: record.repeated(13).map((g) => {
      const x = new Message(g)
      return { scale: x.string(1), value: x.string(2), component: x.string(3) || 'final' }
    }),
    creditsTenths: record.number(14)
  }
}

/** Checks one proof bundle of a result under the anchors. Never throws. */
export async function verifyResultBundle (bundle: unknown, anchors: readonly Anchor[], options: VerifyOptions = {}): Promise<BundleReport> {
  const policy = options.policy ?? 'ed25519-only'
  const checks: Check[] = []
  const report: BundleReport = { ok: false, checks }
  const add = (name: string, ok: boolean, detail: string): boolean => {
    checks.push({ name, ok, detail })
    return ok
  }
  const done = (): BundleReport => {
    report.ok = checks.length > 0 && checks.every((c) => c.ok)
    return report
  }
  try {
    const b = bundle as { format?: unknown, entry?: Record<string, unknown>, inclusion?: { treeSize?: unknown, proof?: unknown }, checkpoint?: unknown, log?: { origin?: unknown, verifierKey?: unknown }, manifest?: unknown }
    const shape = b?.format === BUNDLE_FORMAT && typeof b.entry === 'object' && b.entry !== null && typeof b.inclusion === 'object' && b.inclusion !== null && Array.isArray(b.inclusion.proof) && typeof b.checkpoint === 'string' &&
      typeof b.log === 'object' && b.log !== null
    if (!add('bundle-format', shape, `format ${String(b?.format)}`)) return done()
    const entry = b.entry as Record<string, unknown>
    if (!add('entry-type', entry.type === RESULT_ENTRY_TYPE, `entry type ${String(entry.type)}`)) return done()

    // 1. The manifest, under a pinned anchor.
    if (anchors.length === 0) {
      add('trust-anchor', false, 'no trust anchor pinned')
      return done()
    }
    const manifestBytes = fromBase64(b.manifest)
    if (manifestBytes === undefined) {
      add('manifest', false, 'the bundle carries no federation manifest')
      return done()
    }
    const env = decodeEnvelope(manifestBytes)
    if (env.payloadType !== MANIFEST_TYPE) {
      add('manifest', false, 'not a manifest')
      return done()
    }
    const manifest = decodeMembers(env.payload)
    const anchor = anchors.find((a) => a.federation === manifest.federation)
    if (anchor === undefined) {
      add('manifest', false, `the manifest is of federation "${manifest.federation}", for which no trust anchor is pinned`)
      return done()
    }
    const signer = await operatorSigner(manifest.federation, manifest.operatorKeys, anchor.operatorKeys, env.publicKey)
    if (signer === undefined) {
      add('manifest', false, `the manifest of "${manifest.federation}" is signed by a key that is neither an operator key of the pinned trust anchor nor introduced from one`)
      return done()
    }
    if (signer.entry !== undefined && (manifest.issuedAt < signer.entry.validFrom || manifest.issuedAt >= signer.entry.validTo)) {
      add(
        'manifest',
        false,
        `the manifest was issued ${iso(manifest.issuedAt)}, outside its operator key's period (${iso(signer.entry.validFrom)} to ${signer.entry.validTo >= Number.MAX_SAFE_INTEGER ? 'no end' : iso(signer.entry.validTo)})`
      )
      return done()
    }
    if (!await ed25519Verify(env.publicKey, signedData(MANIFEST_DOMAIN, env.payloadType, env.payload), env.signature)) {
      add('manifest', false, 'the manifest signature does not verify')
      return done()
    }
    // The ML-DSA-65 half, when by an operator key of the anchor, must hold; under both-required it must be there.
    const manifestMlDsa = anchor.operatorMlDsaKeys.some((k) => equal(k, env.mlDsaPublicKey))
    if (manifestMlDsa && !await envelopeMlDsaValid(env, MANIFEST_DOMAIN)) {
      add('manifest', false, 'the manifest\'s ML-DSA-65 signature does not verify')
      return done()
    }
    if (policy === 'both-required' && !manifestMlDsa) {
      add(
        'manifest',
        false,
        anchor.operatorMlDsaKeys.length === 0
          ? `the signature policy requires ML-DSA-65, and the pinned trust anchor of "${manifest.federation}" lists no ML-DSA-65 operator key`
          : `the signature policy requires ML-DSA-65, and the manifest of "${manifest.federation}" carries no ML-DSA-65 signature by an operator key of the pinned trust anchor`
      )
      return done()
    }
    if (manifest.issuedAt < anchor.validFrom || manifest.issuedAt >= anchor.validUntil) {
      add('manifest', false, `the manifest was issued ${iso(manifest.issuedAt)}, outside the trust anchor's validity`)
      return done()
    }
    add('manifest', true, `manifest ${manifest.federation} serial ${manifest.serial} issued ${iso(manifest.issuedAt)}, signed by an operator key${manifestMlDsa ? ' and its ML-DSA-65 key' : ''} of the pinned trust anchor`)

    // 2. The log's key is a member's, and the origin is its log.
    const log = b.log as { origin?: unknown, verifierKey?: unknown }
    const vkey = typeof log.verifierKey === 'string' ? log.verifierKey : ''
    const [vname = '', vid = '', vmaterial = ''] = vkey.split('+', 3)
    const material = fromBase64(vkey.slice(vname.length + vid.length + 2))
    const logKey = material?.length === 33 && material[0] === 0x01 ? material.slice(1) : undefined
    if (logKey === undefined || vname !== log.origin || !/^[0-9a-f]{8}$/.test(vid) || Number.parseInt(vid, 16) !== await keyId(vname, 0x01, logKey) || vmaterial === '') {
      add('log-key', false, 'the log\'s verifier key is malformed or not for its origin')
      return done()
    }
    // Any key of a member's history; the origin names its identity.
    const member = manifest.members.find((m) => m.keys.some((k) => equal(k.publicKey, logKey)))
    const memberKey = member?.keys.find((k) => equal(k.publicKey, logKey))
    if (member === undefined || memberKey === undefined) {
      add('key-membership', false, `manifest ${manifest.federation} serial ${manifest.serial} does not list the log key`)
      return done()
    }
    const origin = `${manifest.federation}/log/${member.identity}`
    if (!add('key-membership', log.origin === origin, log.origin === origin ? `the log key is member "${member.name}" (organisation ${member.organisationNumber})` : `the origin ${String(log.origin)} is not ${origin}`)) return done()
    report.member = member

    // 3. The checkpoint, signed by the log, cosigned by the log's witnesses under the manifest.
    if (policy === 'both-required' && memberKey.mlDsaPublicKey === undefined) {
      add('checkpoint-signature', false, `the signature policy requires ML-DSA-65, and no ML-DSA-65 key is known for the log ${origin}`)
      return done()
    }
    const note = parseNote(b.checkpoint as string)
    const edLog: KnownKey = { name: origin, keyId: await keyId(origin, 0x01, logKey), verify: async (text, sig) => await ed25519Verify(logKey, utf8(text), sig) }
    const pqKey = memberKey.mlDsaPublicKey
    const pqLog: KnownKey | undefined = pqKey === undefined
      ? undefined
      : { name: origin, keyId: await mlDsaKeyId(origin, ML_DSA_NOTE_IDENTIFIER, pqKey), verify: async (text, sig) => await mlDsa65Verify(pqKey, ML_DSA_NOTE_CONTEXT, utf8(text), sig) }
    // Only the log's witnesses under the manifest's witness set count (every other member without one),
    // under their stable names, each by any key of its history whose period holds the cosignature's time.
    let firstCosignature = Number.MAX_SAFE_INTEGER
    const inPeriod = (k: MemberKey, time: number): boolean => time * 1000 >= Math.floor(k.validFrom / 1000) * 1000 && time * 1000 < k.validTo
    const witnesses = await Promise.all((await logWitnesses(manifest.members, manifest.witnessing, origin, member.identity)).map(async (w) => {
      const name = `${manifest.federation}/witness/${w.identity}`
      const ed: KnownKey[] = await Promise.all(w.keys.map(async (k) => ({
        name,
        keyId: await keyId(name, 0x04, k.publicKey),
        verify: async (text: string, sig: Uint8Array) => {
          const c = cosignatureParts(sig, 64)
          if (c === undefined || !inPeriod(k, c.time) || !await ed25519Verify(k.publicKey, c.message(text), c.signature)) return false
          firstCosignature = Math.min(firstCosignature, c.time * 1000)
          return true
        }
      })))
      const pq: KnownKey[] = await Promise.all(w.keys.flatMap((k) => {
        const wpq = k.mlDsaPublicKey
        return wpq === undefined ? [] : [(async () => ({
          name,
          keyId: await mlDsaKeyId(name, ML_DSA_COSIGNATURE_IDENTIFIER, wpq),
          verify: async (text: string, sig: Uint8Array) => {
            const c = cosignatureParts(sig, ML_DSA_65_SIGNATURE_LENGTH)
            return c !== undefined && inPeriod(k, c.time) && await mlDsa65Verify(wpq, ML_DSA_COSIGNATURE_CONTEXT, c.message(text), c.signature)
          }
        }))()]
      }))
      return { member: w, ed, pq }
    }))
    // signed-note: unknown signers are ignored, a known key's signature that fails rejects the note.
    const known = [edLog, ...(pqLog === undefined ? [] : [pqLog]), ...witnesses.flatMap((w) => [...w.ed, ...w.pq])]
    const valid = new Set<KnownKey>()
    for (const sig of note.sigs) {
      const k = known.find((x) => x.name === sig.name && x.keyId === sig.keyId)
      if (k === undefined) continue
      if (!await k.verify(note.text, sig.signature)) {
        add('checkpoint-signature', false, `the checkpoint carries a signature of ${sig.name} that does not verify`)
        return done()
      }
      valid.add(k)
    }
    if (!valid.has(edLog)) {
      add('checkpoint-signature', false, `the checkpoint carries no valid signature of the log ${origin}`)
      return done()
    }
    const cp = parseCheckpoint(note.text)
    if (!add('checkpoint-signature', cp.origin === origin, `${cp.origin} size ${cp.size} signed by the log key`)) return done()
    const hybrid = pqLog !== undefined && valid.has(pqLog)
    if (policy === 'both-required' && !hybrid) {
      checks.pop()
      add('checkpoint-signature', false, `the signature policy requires the ML-DSA-65 signature of the log ${origin}, and the checkpoint carries none`)
      return done()
    }
    const cosigners = witnesses.filter((w) => w.ed.some((k) => valid.has(k)) && (policy !== 'both-required' || w.pq.some((k) => valid.has(k)))).map((w) => w.member.name)
    report.cosigners = cosigners
    // The manifest's k-of-n threshold is the least accepted; the reader may ask for more.
    const min = Math.max(options.minCosignatures ?? 0, manifest.witnessing?.threshold ?? 0)
    const cosigned = `${cosigners.length} witness(es) of the log in the manifest cosigned${policy === 'both-required' ? ' with both Ed25519 and ML-DSA-65' : ''}${min > 0 ? `, ${min} required` : ''}: ${cosigners.join(', ') || 'none'}`
    if (!add('cosignatures', cosigners.length >= min, cosigned)) return done()

    // 4. The leaf commits to this type, key and record, and is in the checkpoint's tree.
    const leafBytes = fromBase64(entry.leaf)
    const record = fromBase64(entry.record)
    const salt = fromBase64(entry.salt)
    const key = typeof entry.key === 'string' ? entry.key : ''
    if (leafBytes === undefined || record === undefined || salt === undefined) {
      add('leaf-encoding', false, 'the entry is not canonical base64')
      return done()
    }
    const leaf = decodeLeaf(leafBytes)
    add('leaf-encoding', true, `v1 leaf of type ${leaf.type}, logged ${iso(leaf.loggedAt)}`)
    if (!add('leaf-type', leaf.type === entry.type, `leaf type ${leaf.type}`)) return done()
    const keyOk = equal(await sha256(utf8('lifelong/log/v1/key\0'), salt, utf8(key)), leaf.keyCommitment)
    if (!add('key-commitment', keyOk, keyOk ? `key ${key}` : 'the key does not match the leaf\'s key commitment')) return done()
    const recordOk = equal(await sha256(utf8('lifelong/log/v1/record\0'), salt, record), leaf.recordCommitment)
    if (!add('record-commitment', recordOk, recordOk ? `${record.length} record bytes match` : 'the record bytes do not match the leaf\'s record commitment')) return done()
    const inclusion = b.inclusion as { treeSize?: unknown, proof: unknown[] }
    const proof = inclusion.proof.map(fromBase64)
    const index = typeof entry.index === 'number' ? entry.index : -1
    const root = inclusion.treeSize === cp.size && index >= 0 && proof.every((p) => p !== undefined) ? await inclusionRoot(await sha256(Uint8Array.of(0), leafBytes), index, cp.size, proof as Uint8Array[]) : undefined
    if (!add('inclusion-proof', root !== undefined && equal(root, cp.root), `leaf ${index} of ${cp.size}`)) return done()
    report.position = { index, treeSize: cp.size, origin, loggedAt: leaf.loggedAt }

    // 5. The log was a member when it logged the entry.
    if (!add('member-at-logging', leaf.loggedAt >= member.validFrom && leaf.loggedAt < member.validTo, `logged ${iso(leaf.loggedAt)}; "${member.name}" is a member from ${iso(member.validFrom)} to ${iso(member.validTo)}`)) return done()
    // 5b. The checkpoint's key was in its period: not retired before the entry was logged, not begun after the first cosignature.
    if (member.keys.length > 1 || memberKey.validTo < member.validTo) {
      const inPeriod = leaf.loggedAt < memberKey.validTo && firstCosignature >= memberKey.validFrom
      if (!add('key-period', inPeriod, `the checkpoint's key signs for "${member.name}" from ${iso(memberKey.validFrom)} to ${iso(memberKey.validTo)}; the entry was logged ${iso(leaf.loggedAt)}`)) return done()
    }

    // 6. The record is a result signed by the log's key, recorded by its member, named by the log key.
    const result = decodeEnvelope(record)
    // Sealed by a key of the member's history within its period when it was logged (the seal precedes the logging).
    const sealedBy = member.keys.find((k) => equal(k.publicKey, result.publicKey))
    const sealedInPeriod = sealedBy !== undefined && (member.keys.length === 1 ? equal(sealedBy.publicKey, logKey) : leaf.loggedAt >= sealedBy.validFrom && leaf.loggedAt < sealedBy.validTo)
    const signedOk = result.payloadType === RESULT_TYPE && sealedInPeriod && await ed25519Verify(result.publicKey, signedData(RESULT_DOMAIN, result.payloadType, result.payload), result.signature)
    if (!add('result-signature', signedOk, signedOk ? 'the result is signed by the log\'s key' : 'the result is not signed by the log\'s key')) return done()
    // The seal's ML-DSA-65 half (src/services/registry/results/verify.ts): by the member's key, valid, and there under both-required.
    const sealHybrid = result.mlDsaPublicKey.length > 0
    const sealProblem = sealHybrid && !await envelopeMlDsaValid(result, RESULT_DOMAIN)
      ? 'RESULTS_BAD_SIGNATURE: the result\'s ML-DSA-65 signature does not verify'
      : sealHybrid && (sealedBy?.mlDsaPublicKey === undefined || !equal(sealedBy.mlDsaPublicKey, result.mlDsaPublicKey))
      ? 'RESULTS_SIGNER_MISMATCH: the result\'s ML-DSA-65 signature is not by the ML-DSA-65 key the manifest lists for its source'
      : policy === 'both-required' && !sealHybrid
      ? `RESULTS_HYBRID_SIGNATURE_MISSING: the signature policy requires ML-DSA-65, and ${sealedBy?.mlDsaPublicKey === undefined ? 'the manifest lists no ML-DSA-65 key for the source' : 'the result carries only its Ed25519 signature'}`
      : undefined
    if (sealProblem !== undefined) {
      checks.pop()
      add('result', false, sealProblem)
      return done()
    }
    const fields = new Message(result.payload)
    const facts = resultFacts(fields)
    if (!add('result-recorder', fields.string(25) === member.organisationNumber, `recorded by organisation ${fields.string(25)}`)) return done()
    if (!add('result-log-key', key === `${facts.resultId}/v${facts.version}`, `result ${facts.resultId} version ${facts.version} (${facts.status})`)) return done()
    report.facts = facts
  } catch (err) {
    add('bundle-format', false, err instanceof Error ? err.message : 'unreadable')
  }
  return done()
}

/** Checks every bundle of a share's proof set. Never throws. */
export async function verifyProofSet (doc: unknown, anchors: readonly Anchor[], options: VerifyOptions = {}): Promise<ProofSetReport> {
  const set = doc as { format?: unknown, bundles?: unknown }
  if (set?.format !== SET_FORMAT || !Array.isArray(set.bundles) || set.bundles.length === 0 || set.bundles.length > MAX_BUNDLES) {
    return { ok: false, problem: `not a ${SET_FORMAT} file with at least one bundle`, bundles: [] }
  }
  const bundles: BundleReport[] = []
  for (const b of set.bundles) bundles.push(await verifyResultBundle(b, anchors, options))
  return { ok: bundles.every((b) => b.ok), bundles }
}

/** A proof set from the bytes of a dropped file: the JSON itself, or a PDF transcript with it attached. */
export async function proofSetOfFile (bytes: Uint8Array): Promise<unknown> {
  if (bytes.length >= 5 && fromUtf8(bytes.subarray(0, 5)) === '%PDF-') return JSON.parse(fromUtf8(await attachedProof(bytes)))
  return JSON.parse(fromUtf8(bytes))
}

/**
 * The attached `results-proof.json` of a transcript PDF (src/edges/portal/pdf.ts): the embedded
 * file stream (/Type /EmbeddedFile), inflated when it is Flate-compressed. Object streams hold
 * no streams, so the stream's dictionary is plain text in the file.
 */
export async function attachedProof (pdf: Uint8Array): Promise<Uint8Array> {
  const latin1 = Array.from(pdf, (c) => String.fromCharCode(c)).join('')
  const at = latin1.indexOf('/Type /EmbeddedFile')
  if (at < 0) throw new CheckError('VERIFY_PDF_NO_PROOF', 'the PDF has no attached proof')
  const dictStart = latin1.lastIndexOf('<<', at)
  const streamAt = latin1.indexOf('stream', at)
  const dict = latin1.slice(dictStart, streamAt)
  const length = /\/Length (\d+)/.exec(dict)
  if (length === null) throw new CheckError('VERIFY_PDF_NO_PROOF', 'the attached proof has no length')
  let start = streamAt + 'stream'.length
  if (latin1[start] === '\r') start++
  if (latin1[start] === '\n') start++
  const data = pdf.subarray(start, start + Number(length[1]))
  if (!dict.includes('/FlateDecode')) return data
  const inflated = new Blob([data.slice()]).stream().pipeThrough(new DecompressionStream('deflate'))
  return new Uint8Array(await new Response(inflated).arrayBuffer())
}
