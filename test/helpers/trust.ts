/**
 * A federation on paper for verifier tests: an operator key, its trust anchor and a signed
 * manifest of the members given (no nodes). A rogue federation is the same thing with another
 * operator key.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateSigningKey, peerIdFromRawPublicKey, type SigningKey } from '../../src/core/crypto/ed25519.ts'
import { p256JwkOf } from '../../src/core/crypto/p256.ts'
import { serialiseTrustAnchor, type TrustAnchor } from '../../src/core/federation/anchor.ts'
import { manifestFromJson, openManifest, signManifest, type Manifest } from '../../src/core/federation/manifest.ts'
import type { Role } from '../../src/core/federation/roles.ts'
import type { KeyObject } from 'node:crypto'

export interface PaperMember {
  key: SigningKey
  organisationNumber: string
  name: string
  roles: Role[]
  httpBaseUrl?: string
  /** A portal's SD-JWT VC issuer key (private; its public JWK goes in the manifest). */
  credentialIssuerKey?: KeyObject
}

export interface PaperFederation {
  operatorKey: SigningKey
  anchor: TrustAnchor
  manifestBytes: Uint8Array
  manifest: Manifest
  /** Another manifest of the same members, signed by the same operator. */
  sign: (options: { serial: number, issuedAt?: number, expiresAt?: number }) => Uint8Array
  /** Writes the anchor and the manifest into `dir`; returns their paths. */
  write: (dir: string) => { anchorFile: string, manifestFile: string }
}

const DAY = 86_400_000

export function paperFederation (members: PaperMember[], options: { federation?: string, now?: number, operatorKey?: SigningKey } = {}): PaperFederation {
  const now = options.now ?? Date.now()
  const federation = options.federation ?? 'no.lifelong.test'
  const operatorKey = options.operatorKey ?? generateSigningKey()
  const anchor: TrustAnchor = { federation, operatorKeys: [operatorKey.publicKeyRaw], validFrom: now - DAY, validUntil: now + 365 * DAY }
  const sign = (o: { serial: number, issuedAt?: number, expiresAt?: number }): Uint8Array =>
    signManifest(
      operatorKey,
      manifestFromJson({
        federation,
        serial: o.serial,
        issuedAt: new Date(o.issuedAt ?? now).toISOString(),
        expiresAt: new Date(o.expiresAt ?? now + 30 * DAY).toISOString(),
        members: members.map((m, i) => ({
          peerId: peerIdFromRawPublicKey(m.key.publicKeyRaw).toString(),
          organisationNumber: m.organisationNumber,
          name: m.name,
          roles: m.roles,
          httpBaseUrl: m.httpBaseUrl ?? `https://node${i}.example.no`,
          validFrom: new Date(now - 30 * DAY).toISOString(),
          validTo: new Date(now + 365 * DAY).toISOString(),
          ...(m.credentialIssuerKey === undefined ? {} : { credentialIssuerKeys: [p256JwkOf(m.credentialIssuerKey)] })
        }))
      }, now)
    )
  const manifestBytes = sign({ serial: 1 })
  const manifest = openManifest(manifestBytes, [operatorKey.publicKeyRaw], federation).manifest
  return {
    operatorKey,
    anchor,
    manifestBytes,
    manifest,
    sign,
    write (dir) {
      const anchorFile = join(dir, `${federation}-anchor.json`)
      const manifestFile = join(dir, `${federation}-manifest.pb`)
      writeFileSync(anchorFile, serialiseTrustAnchor(anchor))
      writeFileSync(manifestFile, manifestBytes)
      return { anchorFile, manifestFile }
    }
  }
}
