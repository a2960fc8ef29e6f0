/**
 * A whole federation on loopback: an operator key, a key and config per node, and an
 * operator-signed manifest listing them all. `npm start` (`lifelong demo`) and the
 * integration tests both build their federations here. Keys are created on the first run and
 * reused after, so the stores of a previous run stay valid; the manifest is re-signed at every
 * run with a higher serial and a fresh expiry.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { createKeyFile, createPqKeyFile, readKeyFile, readPqKeyFile } from '../core/crypto/key-file.ts'
import { formatPqPublicKey, type PqSigningKey } from '../core/crypto/ml-dsa.ts'
import { formatPublicKey, peerIdFromRawPublicKey, type SigningKey } from '../core/crypto/ed25519.ts'
import { manifestFromJson, signManifest, type ManifestJson } from '../core/federation/manifest.ts'
import { parseTrustAnchor, sameTrustAnchor, serialiseTrustAnchor, type TrustAnchor } from '../core/federation/anchor.ts'
import { CREDENTIAL_ISSUER_KEY_FILE, loadOrCreateP256KeyFile, p256JwkOf, type P256Jwk } from '../core/crypto/p256.ts'
import { parseConfig, type NodeConfig } from '../core/config/config.ts'
import type { Role } from '../core/federation/roles.ts'
import { createNode, type LifelongNode, type NodeOptions } from '../node.ts'
import { devIssuerConfig } from './dev-issuer.ts'
import { devCa, devCertificate } from './dev-ca.ts'
import { LifelongError } from '../core/errors.ts'

export interface LocalNodeSpec {
  slug: string
  name: string
  organisationNumber: string
  roles: Role[]
  /** Listed in the manifest but not started (a member that is down). */
  offline?: boolean
  /** Membership validity (Unix ms); default from a day ago for a year. */
  validFrom?: number
  validTo?: number
  /** A warm standby of the node of this slug (same organisation and roles), replicated this way. */
  standbyOf?: string
  replication?: 'synchronous' | 'asynchronous'
}

export interface LocalFederationSpec {
  federation: string
  basePorts: { p2p: number, http: number }
  manifestValidityDays: number
  nodes: LocalNodeSpec[]
  /** A foreign EMREX node (not a member) that the portal exchanges results with (`lifelong demo` only). */
  foreignEmrex?: { name: string, country: string }
}

export interface PlannedNode {
  spec: LocalNodeSpec
  dir: string
  configFile: string
  config: NodeConfig
  peerId: string
  /** A portal's SD-JWT VC issuer key (listed in its manifest entry). */
  credentialIssuerKey?: P256Jwk
  /** Its ML-DSA-65 public key, in a hybrid federation. */
  mlDsaPublicKey?: Uint8Array
  p2pPort: number
  httpPort: number
  httpUrl: string
}

export interface LocalFederationPlan {
  dir: string
  federation: string
  operatorKeyFile: string
  operatorKey: SigningKey
  /** The operator's ML-DSA-65 key, in a hybrid federation. */
  operatorMlDsaKey?: PqSigningKey
  manifestFile: string
  /** The federation's trust anchor (every node serves it), and its file. */
  trustAnchor: TrustAnchor
  trustAnchorFile: string
  serial: number
  nodes: PlannedNode[]
  /** The DEVELOPMENT token issuer every node of the local federation trusts (dev-issuer.ts). */
  devIssuerKey: SigningKey
}

export interface PlanOptions {
  /** Ports of the node at `index`; default basePorts + index. */
  ports?: (index: number) => { p2p: number, http: number }
  logLevel?: string
  /** Extra config fields per node (merged over the generated ones). */
  configOverrides?: (spec: LocalNodeSpec) => Record<string, unknown>
  now?: number
  /**
   * How the members reach each other: `tcp` (default) on loopback at the planned ports, or
   * `memory`: in-process addresses (`/memory/<name>`, src/net/host/host.ts) for a federation
   * whose nodes all run in one process, with no port to find.
   */
  transport?: 'tcp' | 'memory'
  /**
   * Post-quantum hybrid signatures: the operator and every node get an ML-DSA-65 key beside
   * their Ed25519 one, the manifest lists the nodes' keys and is signed with both, and the
   * anchor names both operator keys (docs/SECURITY.md §Post-quantum hybrid signatures).
   */
  hybrid?: boolean
  /** The manifest's witness set (docs/LOG.md §Witness sets); `pool` by slug, default every member. */
  witnessing?: { perLog: number, threshold: number, pool?: string[] }
}

const HOST = '127.0.0.1'

function keyAt (path: string): SigningKey {
  return existsSync(path) ? readKeyFile(path) : createKeyFile(path)
}

function pqKeyAt (path: string): PqSigningKey {
  return existsSync(path) ? readPqKeyFile(path) : createPqKeyFile(path)
}

/**
 * The anchor of the local federation: kept as it is while it names the same federation and key
 * (so that a pinned demo anchor stays valid across restarts), else valid from a day before
 * `now` for ten years.
 */
function localTrustAnchor (file: string, federation: string, operatorKey: SigningKey, now: number, operatorMlDsaKey?: PqSigningKey): TrustAnchor {
  const wanted = { federation, operatorKeys: [operatorKey.publicKeyRaw], ...(operatorMlDsaKey === undefined ? {} : { operatorMlDsaKeys: [operatorMlDsaKey.publicKeyRaw] }), validFrom: now - 86_400_000, validUntil: now + 3650 * 86_400_000 }
  if (existsSync(file)) {
    try {
      const held = parseTrustAnchor(readFileSync(file, 'utf8'))
      if (sameTrustAnchor(held, { ...wanted, validFrom: held.validFrom, validUntil: held.validUntil }) && held.validFrom <= now && now < held.validUntil) return held
    } catch {}
  }
  writeFileSync(file, serialiseTrustAnchor(wanted))
  return wanted
}

function mergeDeep (base: Record<string, any>, extra: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base }
  for (const [k, v] of Object.entries(extra)) {
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && typeof base[k] === 'object' ? mergeDeep(base[k], v) : v
  }
  return out
}

/** Writes (or refreshes) keys, configs and a signed manifest for `spec` under `dir`. */
export function planLocalFederation (spec: LocalFederationSpec, dir: string, options: PlanOptions = {}): LocalFederationPlan {
  const now = options.now ?? Date.now()
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const operatorKeyFile = join(dir, 'operator.key')
  const operatorKey = keyAt(operatorKeyFile)
  const manifestFile = join(dir, 'manifest.pb')
  const devIssuerKey = keyAt(join(dir, 'dev-issuer.key'))
  const trustAnchorFile = join(dir, 'trust-anchor.json')
  const operatorMlDsaKey = options.hybrid === true ? pqKeyAt(join(dir, 'operator.mldsa.key')) : undefined
  const trustAnchor = localTrustAnchor(trustAnchorFile, spec.federation, operatorKey, now, operatorMlDsaKey)
  const ports = options.ports ?? ((i: number) => ({ p2p: spec.basePorts.p2p + i, http: spec.basePorts.http + i }))

  // The development CA for the portals' EUDI certificates (dev-ca.ts), made only when a portal needs it.
  const ca = spec.nodes.some((n) => n.roles.includes('portal')) ? devCa(dir, now) : undefined

  // In-process addresses are unique to this plan (two test files' federations share no process,
  // two federations of one file must not meet).
  const memoryPrefix = `/memory/${randomUUID()}`
  const p2pAddress = (slug: string, port: number): string => options.transport === 'memory' ? `${memoryPrefix}-${slug}` : `/ip4/${HOST}/tcp/${port}`
  const nodes: PlannedNode[] = spec.nodes.map((nodeSpec, i) => {
    const nodeDir = join(dir, nodeSpec.slug)
    const key = keyAt(join(nodeDir, 'node.key'))
    const mlDsaKey = options.hybrid === true ? pqKeyAt(join(nodeDir, 'node.mldsa.key')) : undefined
    const { p2p, http } = ports(i)
    const configFile = join(nodeDir, 'config.json')
    // A portal's credential issuer key is made here, before the node first starts, so that the
    // manifest lists it (the portal loads the same file: src/services/bridges/eudi/module.ts); its
    // certificate under the development CA goes in every credential's x5c (HAIP §6.1.1), and the
    // verifier's request-signing key gets one too (OpenID4VP x509_hash).
    const isPortal = nodeSpec.roles.includes('portal')
    const credentialIssuerKey = isPortal ? p256JwkOf(loadOrCreateP256KeyFile(join(nodeDir, CREDENTIAL_ISSUER_KEY_FILE))) : undefined
    let wallet: Record<string, unknown> = {}
    if (isPortal && ca !== undefined) {
      const url = `http://${HOST}:${http}`
      devCertificate(ca, join(nodeDir, 'eudi-issuer-chain.pem'), loadOrCreateP256KeyFile(join(nodeDir, CREDENTIAL_ISSUER_KEY_FILE)), { commonName: `DEVELOPMENT ${nodeSpec.name} credential issuer`, uris: [url] }, now)
      devCertificate(ca, join(nodeDir, 'verifier-chain.pem'), loadOrCreateP256KeyFile(join(nodeDir, 'verifier.key')), { commonName: `DEVELOPMENT ${nodeSpec.name} verifier`, uris: [url], dnsNames: [HOST] }, now)
      wallet = {
        certificateChainFile: 'eudi-issuer-chain.pem',
        certificateRootFile: relative(nodeDir, ca.rootFile),
        verifier: { certificateChainFile: 'verifier-chain.pem', keyFile: 'verifier.key' }
      }
    }
    const json = mergeDeep({
      name: nodeSpec.name,
      organisationNumber: nodeSpec.organisationNumber,
      roles: nodeSpec.roles,
      dataDir: '.',
      p2p: { listen: [p2pAddress(nodeSpec.slug, p2p)], addressScope: 'loopback' },
      http: { host: HOST, port: http },
      federation: {
        id: spec.federation,
        manifestFile: relative(nodeDir, manifestFile),
        operatorKeys: [formatPublicKey(operatorKey.publicKeyRaw)],
        ...(operatorMlDsaKey === undefined ? {} : { operatorMlDsaKeys: [formatPqPublicKey(operatorMlDsaKey.publicKeyRaw)] }),
        trustAnchorFile: relative(nodeDir, trustAnchorFile),
        refreshIntervalSeconds: 60
      },
      logging: { level: options.logLevel ?? 'warn' },
      identifiers: { allowSynthetic: true },
      auth: { issuers: devIssuerConfig(devIssuerKey) },
      ...(isPortal ? { portal: { wallet } } : {}),
      ...(mlDsaKey === undefined ? {} : { signatures: { mlDsaKeyFile: 'node.mldsa.key' } })
    }, options.configOverrides?.(nodeSpec) ?? {})
    writeFileSync(configFile, JSON.stringify(json, null, 2) + '\n')
    return {
      spec: nodeSpec,
      dir: nodeDir,
      configFile,
      config: parseConfig(json, nodeDir, configFile),
      peerId: peerIdFromRawPublicKey(key.publicKeyRaw).toString(),
      ...(mlDsaKey === undefined ? {} : { mlDsaPublicKey: mlDsaKey.publicKeyRaw }),
      ...(credentialIssuerKey === undefined ? {} : { credentialIssuerKey }),
      p2pPort: p2p,
      httpPort: http,
      httpUrl: `http://${HOST}:${http}`
    }
  })

  // Seconds since the epoch: higher at every run, so a restarted federation adopts the new manifest.
  const serial = Math.floor(now / 1000)
  const manifest: ManifestJson = {
    federation: spec.federation,
    serial,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + spec.manifestValidityDays * 86_400_000).toISOString(),
    members: nodes.map((n) => ({
      peerId: n.peerId,
      organisationNumber: n.spec.organisationNumber,
      name: n.spec.name,
      roles: n.spec.roles,
      multiaddrs: [p2pAddress(n.spec.slug, n.p2pPort)],
      httpBaseUrl: n.httpUrl,
      validFrom: new Date(n.spec.validFrom ?? now - 86_400_000).toISOString(),
      validTo: new Date(n.spec.validTo ?? now + 365 * 86_400_000).toISOString(),
      ...(n.credentialIssuerKey === undefined ? {} : { credentialIssuerKeys: [n.credentialIssuerKey] }),
      ...(n.mlDsaPublicKey === undefined ? {} : { mlDsaPublicKey: formatPqPublicKey(n.mlDsaPublicKey) }),
      ...(n.spec.standbyOf === undefined ? {} : { standbyOf: nodes.find((p) => p.spec.slug === n.spec.standbyOf)?.peerId ?? n.spec.standbyOf, replication: n.spec.replication ?? 'asynchronous' })
    })),
    ...(options.witnessing === undefined
      ? {}
      : {
        witnessing: {
          perLog: options.witnessing.perLog,
          threshold: options.witnessing.threshold,
          ...(options.witnessing.pool === undefined ? {} : { pool: options.witnessing.pool.map((slug) => nodes.find((n) => n.spec.slug === slug)?.peerId ?? slug) })
        }
      })
  }
  writeFileSync(manifestFile, signManifest(operatorKey, manifestFromJson(manifest, now), operatorMlDsaKey))
  return { dir, federation: spec.federation, operatorKeyFile, operatorKey, ...(operatorMlDsaKey === undefined ? {} : { operatorMlDsaKey }), manifestFile, trustAnchor, trustAnchorFile, serial, nodes, devIssuerKey }
}

export interface RunningFederation {
  plan: LocalFederationPlan
  /** Started nodes by slug. */
  nodes: Map<string, LifelongNode>
  node: (slug: string) => LifelongNode
  stop: () => Promise<void>
}

/** Creates and starts every node of the plan that is not marked offline. */
export async function startLocalFederation (plan: LocalFederationPlan, options: (spec: LocalNodeSpec) => NodeOptions = () => ({})): Promise<RunningFederation> {
  const nodes = new Map<string, LifelongNode>()
  const stop = async (): Promise<void> => {
    await Promise.allSettled([...nodes.values()].map(async (n) => {
      await n.stop()
    }))
  }
  try {
    for (const planned of plan.nodes) {
      if (planned.spec.offline === true) continue
      const node = await createNode(planned.config, options(planned.spec))
      nodes.set(planned.spec.slug, node)
    }
    // Every start settles before anything is stopped: a node stopped while it is still starting
    // would otherwise go on to open its listeners after the stop.
    const starts = await Promise.allSettled([...nodes.values()].map(async (n) => {
      await n.start()
    }))
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason
  } catch (err) {
    await stop()
    throw err
  }
  return {
    plan,
    nodes,
    node (slug) {
      const n = nodes.get(slug)
      if (n === undefined) throw new LifelongError('not-found', 'DEMO_NODE_UNKNOWN', `no running node ${slug}`)
      return n
    },
    stop
  }
}
