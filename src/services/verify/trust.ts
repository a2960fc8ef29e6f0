/**
 * What a verification trusts, and how a verifier comes to trust it (docs/SECURITY.md
 * §Verifiers and trust anchors):
 *
 * 1. The user pins a federation's trust anchor once: from a file, or from a node's
 *    well-known URL (`lifelong trust add`), and compares its fingerprint with the one the
 *    operator publishes. Or names one for a single run (`--trust-anchor`, `--operator-key`).
 * 2. A proof bundle carries the manifest of its day; it is checked under the anchor
 *    (src/core/log/bundle.ts).
 * 3. A bare credential (SD-JWT VC, ELM) carries no manifest, so the trust store keeps the latest
 *    manifest that verified under the anchor, refreshed from the URL the anchor was pinned from
 *    when it has expired. A manifest from anywhere is accepted only if it verifies under the
 *    anchor; a lower serial than the one held is refused (no rollback).
 */
import { readFileSync } from 'node:fs'
import { LifelongError } from '../../core/errors.ts'
import {
  openManifestUnderAnchors,
  operatorKeyAnchor,
  parseTrustAnchor,
  sameTrustAnchor,
  SIGNED_MANIFEST_PATH,
  trustAnchorFingerprint,
  type TrustAnchor
} from '../../core/federation/anchor.ts'
import { MAX_MANIFEST_BYTES, type Manifest } from '../../core/federation/manifest.ts'
import type { SafeFetch } from './fetch.ts'
import type { Pin, TrustStore } from './trust-store.ts'

/** The message every refusal for want of an anchor carries. */
export const NO_ANCHOR_MESSAGE = 'no trust anchor pinned: run `lifelong trust add <trust anchor file or URL>` (a node serves it at /.well-known/lifelong/trust-anchor.json), or pass --trust-anchor <file|url>'

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s)

/** Reads a document from a file or, through the safe fetch, a URL. */
async function load (source: string, fetch: SafeFetch, maxBytes: number, accept: string): Promise<Uint8Array> {
  if (isUrl(source)) return (await fetch(source, { accept, maxBytes })).body
  try {
    return new Uint8Array(readFileSync(source))
  } catch (err) {
    throw new LifelongError('invalid', 'TRUST_SOURCE_UNREADABLE', `cannot read ${source}`, { cause: err })
  }
}

export interface LoadedAnchor {
  anchor: TrustAnchor
  source: string
}

/** An anchor from a file or URL. */
export async function loadAnchor (source: string, fetch: SafeFetch): Promise<LoadedAnchor> {
  const bytes = await load(source, fetch, 64 * 1024, 'application/json')
  return { anchor: parseTrustAnchor(new TextDecoder().decode(bytes)), source }
}

/** The signed manifest URL of the node an anchor URL belongs to. */
export function manifestUrlBeside (anchorUrl: string): string {
  return new URL(SIGNED_MANIFEST_PATH, anchorUrl).href
}

/** A manifest from a file or URL, checked under `anchors`. */
async function loadManifest (source: string, anchors: readonly TrustAnchor[], fetch: SafeFetch): Promise<{ bytes: Uint8Array, manifest: Manifest, anchor: TrustAnchor }> {
  const bytes = await load(source, fetch, MAX_MANIFEST_BYTES, 'application/octet-stream')
  const { signed, anchor } = openManifestUnderAnchors(bytes, anchors)
  return { bytes, manifest: signed.manifest, anchor }
}

export interface PinOptions {
  fetch: SafeFetch
  /** Where the manifest is fetched from (default: beside an anchor URL). */
  manifest?: string
  /** Replace a pinned anchor of the same federation that says something else. */
  replace?: boolean
  now?: number
}

export interface PinResult {
  pin: Pin
  manifest?: Manifest
  /** Whether an anchor that said something else was replaced. */
  replaced: boolean
}

/** `lifelong trust add`: pins an anchor, with the manifest beside it when there is one. */
export async function pinFederation (store: TrustStore, source: string, options: PinOptions): Promise<PinResult> {
  const { anchor } = await loadAnchor(source, options.fetch)
  const federation = anchor.federation as string
  const held = store.get(federation)
  const replaced = held !== undefined && !sameTrustAnchor(held.anchor, anchor)
  if (replaced && options.replace !== true) {
    throw new LifelongError('conflict', 'TRUST_ANCHOR_CHANGED', `a different anchor of ${federation} is pinned (${held.fingerprint}; this one is ${trustAnchorFingerprint(anchor)}): check with the operator, then pass --replace`)
  }
  const manifestSource = options.manifest ?? (isUrl(source) ? manifestUrlBeside(source) : undefined)
  const now = options.now ?? Date.now()
  const loaded = manifestSource === undefined ? undefined : await loadManifest(manifestSource, [anchor], options.fetch)
  const pin: Pin = {
    federation,
    anchor,
    fingerprint: trustAnchorFingerprint(anchor),
    source,
    ...(manifestSource !== undefined && isUrl(manifestSource) ? { manifestUrl: manifestSource } : {}),
    pinnedAt: new Date(now).toISOString(),
    ...(loaded === undefined ? {} : { manifest: loaded.bytes, manifestFetchedAt: new Date(now).toISOString() })
  }
  store.save(pin)
  return { pin, ...(loaded === undefined ? {} : { manifest: loaded.manifest }), replaced }
}

/** The held manifest of a pin, checked under its anchor again (the store is a cache). */
export function heldManifest (pin: Pin): Manifest | undefined {
  if (pin.manifest === undefined) return undefined
  return openManifestUnderAnchors(pin.manifest, [pin.anchor]).signed.manifest
}

/** `lifelong trust refresh`: fetches the manifest again from where it was pinned. */
export async function refreshPin (store: TrustStore, pin: Pin, options: { fetch: SafeFetch, now?: number }): Promise<{ pin: Pin, manifest: Manifest }> {
  if (pin.manifestUrl === undefined) {
    throw new LifelongError('invalid', 'TRUST_NO_MANIFEST_URL', `${pin.federation} was pinned from a file with no manifest URL: pin it again with --manifest <url> (a node serves it at ${SIGNED_MANIFEST_PATH})`)
  }
  const loaded = await loadManifest(pin.manifestUrl, [pin.anchor], options.fetch)
  let held: Manifest | undefined
  try {
    held = heldManifest(pin)
  } catch {}
  if (held !== undefined && loaded.manifest.serial < held.serial) {
    throw new LifelongError('conflict', 'TRUST_MANIFEST_ROLLBACK', `${pin.manifestUrl} serves serial ${loaded.manifest.serial}, older than the serial ${held.serial} already held`)
  }
  const next: Pin = { ...pin, manifest: loaded.bytes, manifestFetchedAt: new Date(options.now ?? Date.now()).toISOString() }
  store.save(next)
  return { pin: next, manifest: loaded.manifest }
}

/** What a verification runs under. */
export interface VerifierTrust {
  anchors: TrustAnchor[]
  /** Manifests in force now, each verified under one of the anchors (asked for by credential verifiers). */
  manifests: Manifest[]
  /** Why a pinned federation has no manifest in force. */
  notes: string[]
  /** Where the anchors came from, for the report. */
  sources: Array<{ federation?: string, fingerprint?: string, source: string }>
}

export interface TrustRequest {
  /** `--trust-anchor`: files or URLs, for this run only (the trust store is not used). */
  trustAnchors?: readonly string[]
  /** `--operator-key`: raw keys, an explicit anchor for this run only. */
  operatorKeys?: readonly Uint8Array[]
  /** `--operator-key ml-dsa-65:…`: raw ML-DSA-65 operator keys, in the same explicit anchor. */
  operatorMlDsaKeys?: readonly Uint8Array[]
  /** `--manifest`: files or URLs of signed manifests (checked under the anchors). */
  manifests?: readonly string[]
  store: TrustStore
  fetch: SafeFetch
  /** No network: manifests are not fetched or refreshed. */
  offline?: boolean
  now?: number
  /** Whether the manifests in force are needed (credentials), or the anchors suffice (bundles). */
  needManifests: boolean
}

/** Gathers the anchors (and manifests) a verification trusts; throws VERIFY_NO_TRUST_ANCHOR when there are none. */
export async function resolveTrust (req: TrustRequest): Promise<VerifierTrust> {
  const now = req.now ?? Date.now()
  const explicit = (req.trustAnchors?.length ?? 0) > 0 || (req.operatorKeys?.length ?? 0) > 0
  const trust: VerifierTrust = { anchors: [], manifests: [], notes: [], sources: [] }
  const manifestSources: string[] = [...(req.manifests ?? [])]
  const pins: Pin[] = []
  if (explicit) {
    for (const source of req.trustAnchors ?? []) {
      const { anchor } = await loadAnchor(source, req.fetch)
      trust.anchors.push(anchor)
      trust.sources.push({ federation: anchor.federation, fingerprint: trustAnchorFingerprint(anchor), source })
      if (isUrl(source) && req.needManifests && req.offline !== true) manifestSources.push(manifestUrlBeside(source))
    }
    if ((req.operatorKeys?.length ?? 0) > 0) {
      trust.anchors.push(operatorKeyAnchor(req.operatorKeys ?? [], req.operatorMlDsaKeys ?? []))
      trust.sources.push({ source: '--operator-key' })
    }
  } else {
    pins.push(...req.store.list())
    for (const p of pins) {
      trust.anchors.push(p.anchor)
      trust.sources.push({ federation: p.federation, fingerprint: p.fingerprint, source: `trust store ${req.store.dir}, pinned from ${p.source}` })
    }
  }
  if (trust.anchors.length === 0) throw new LifelongError('forbidden', 'VERIFY_NO_TRUST_ANCHOR', NO_ANCHOR_MESSAGE)
  if (!req.needManifests) return trust

  const inForce = (m: Manifest, from: string): void => {
    if (m.expiresAt <= now) trust.notes.push(`the manifest of ${m.federation} (serial ${m.serial}, from ${from}) expired ${new Date(m.expiresAt).toISOString()}${req.offline === true ? '' : ': run `lifelong trust refresh`'}`)
    else trust.manifests.push(m)
  }
  for (const pin of pins) {
    let held: Manifest | undefined
    try {
      held = heldManifest(pin)
    } catch (err) {
      trust.notes.push(`the stored manifest of ${pin.federation} does not verify under its anchor: ${(err as Error).message}`)
    }
    if ((held === undefined || held.expiresAt <= now) && req.offline !== true && pin.manifestUrl !== undefined) {
      try {
        held = (await refreshPin(req.store, pin, { fetch: req.fetch, now })).manifest
      } catch (err) {
        trust.notes.push(`cannot refresh the manifest of ${pin.federation} from ${pin.manifestUrl}: ${(err as Error).message}`)
      }
    }
    if (held !== undefined) inForce(held, `the trust store, ${pin.manifestFetchedAt ?? 'pinned'}`)
    else trust.notes.push(`no manifest of ${pin.federation} is held (pin it from a URL, or run \`lifelong trust add <anchor> --manifest <file|url>\`)`)
  }
  for (const source of manifestSources) {
    try {
      inForce((await loadManifest(source, trust.anchors, req.fetch)).manifest, source)
    } catch (err) {
      trust.notes.push(`the manifest from ${source} is not used: ${(err as Error).message}`)
    }
  }
  return trust
}
