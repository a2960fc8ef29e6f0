/**
 * The wallet side of the EUDI tests, built from libraries others wrote: keys and the callbacks the
 * OpenWallet Foundation's oid4vc-ts clients (`@openid4vc/openid4vci`, `/oauth2`, `/openid4vp`)
 * need (jose for JWS, node:crypto for hashes and randomness), and a test wallet provider (its own
 * CA, as a real provider has) whose wallet and key attestations the portal is configured to trust.
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject, type X509Certificate } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'
import { setGlobalConfig } from '@openid4vc/openid4vci'
import { certificatesToPem, makeCertificate, x5cOf } from '../../src/core/crypto/x509.ts'

// The local federation is http on loopback; the libraries accept it only when told (their zHttpsUrl).
setGlobalConfig({ allowInsecureUrls: true })

export interface TestKey {
  privateKey: CryptoKey
  jwk: JWK
  jkt: string
}

export async function testKey (): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(publicKey)
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') }
}

/** A key ring the signJwt callback signs with: by the signer's public JWK, or by its x5c leaf. */
export class KeyRing {
  private readonly byJkt = new Map<string, CryptoKey | KeyObject>()
  private readonly byLeaf = new Map<string, CryptoKey | KeyObject>()

  async add (key: TestKey): Promise<TestKey> {
    this.byJkt.set(key.jkt, key.privateKey)
    return key
  }

  addCertificate (x5cLeaf: string, privateKey: KeyObject): void {
    this.byLeaf.set(x5cLeaf, privateKey)
  }

  /** oid4vc-ts's callbacks (`CallbackContext` without verification and encryption). */
  callbacks (): {
    hash: (data: Uint8Array, alg: string) => Uint8Array
    generateRandom: (n: number) => Uint8Array
    signJwt: (signer: any, jwt: { header: Record<string, unknown>, payload: Record<string, unknown> }) => Promise<{ jwt: string, signerJwk: any }>
  } {
    return {
      hash: (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest()),
      generateRandom: (n: number) => new Uint8Array(randomBytes(n)),
      signJwt: async (signer: any, { header, payload }) => {
        let key: CryptoKey | KeyObject | undefined
        let signerJwk: any
        if (signer.method === 'jwk') {
          key = this.byJkt.get(await calculateJwkThumbprint(signer.publicJwk, 'sha256'))
          signerJwk = signer.publicJwk
        } else if (signer.method === 'x5c') {
          key = this.byLeaf.get(signer.x5c[0])
        }
        if (key === undefined) throw new Error(`no key for signer ${JSON.stringify(signer).slice(0, 200)}`)
        const jwt = await new SignJWT(payload as never).setProtectedHeader(header as never).sign(key)
        return { jwt, signerJwk }
      }
    }
  }
}

/** A JWS with exactly this header and payload, signed with `key` (for hand-made negative cases). */
export async function signed (header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey | KeyObject): Promise<string> {
  return await new SignJWT(payload as never).setProtectedHeader(header as never).sign(key)
}

/** A test wallet provider: a root CA (what the portal trusts) and a signing certificate under it. */
export interface WalletProvider {
  root: X509Certificate
  /** The provider's attestation-signing certificate (x5c leaf, base64 DER). */
  x5c: string[]
  signingKey: KeyObject
  /** PEM file of the root, for `portal.wallet.walletProviderRootFiles`. */
  rootFile: string
}

export function walletProvider (dir: string, name = 'Test wallet provider'): WalletProvider {
  const day = 86_400_000
  const now = Date.now()
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const root = makeCertificate({ subject: { commonName: `${name} root`, country: 'NO' }, publicKey: rootKey.publicKey, selfSignKey: rootKey.privateKey, ca: true, notBefore: new Date(now - day), notAfter: new Date(now + 365 * day) })
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const leaf = makeCertificate({
    subject: { commonName: `${name} attestations`, country: 'NO' },
    publicKey: leafKey.publicKey,
    issuer: { certificate: root, privateKey: rootKey.privateKey },
    ca: false,
    notBefore: new Date(now - day),
    notAfter: new Date(now + 30 * day)
  })
  const rootFile = join(dir, `${name.replace(/\W+/g, '-')}-root.pem`)
  writeFileSync(rootFile, certificatesToPem([root]))
  return { root, x5c: [x5cOf(leaf)], signingKey: leafKey.privateKey, rootFile }
}

/** A wallet instance attestation (OpenID4VCI Appendix E; ABCA-07 §5.1) for `clientId` with the instance key `cnf`. */
export async function walletAttestation (provider: WalletProvider, clientId: string, instance: TestKey, extra: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return await signed(
    { alg: 'ES256', typ: 'oauth-client-attestation+jwt', x5c: provider.x5c },
    { iss: 'https://wallet-provider.test', sub: clientId, iat: now, exp: now + 3600, cnf: { jwk: instance.jwk }, wallet_name: 'Test wallet', ...extra },
    provider.signingKey
  )
}

/** A key attestation (OpenID4VCI Appendix D.1) of `keys`. */
export async function keyAttestation (provider: WalletProvider, keys: readonly TestKey[], extra: Record<string, unknown> = {}, typ = 'key-attestation+jwt'): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  return await signed({ alg: 'ES256', typ, x5c: provider.x5c }, { iat: now, exp: now + 3600, attested_keys: keys.map((k) => k.jwk), key_storage: ['iso_18045_high'], user_authentication: ['iso_18045_high'], ...extra }, provider.signingKey)
}

const PRE = 'urn:ietf:params:oauth:grant-type:pre-authorized_code'

/**
 * The pre-authorised flow by hand for a learner of the test sessions (`cookie`): offer, token,
 * nonce, a `jwt` proof by `holder`, one credential per dataset. The wallet libraries' own
 * builders are exercised in eudi-wallets.test.ts; this makes credentials for other tests.
 */
export async function issueByHand (base: string, cookie: string, results: readonly string[], holder: TestKey): Promise<string[]> {
  const o = await (await fetch(`${base}/portal/wallet/offers`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(results.map((r) => ['results', r])).toString()
  })).json() as { offerUri: string, txCode: string }
  const code = JSON.parse(new URL(o.offerUri).searchParams.get('credential_offer') as string).grants[PRE]['pre-authorized_code'] as string
  const t =
    await (await fetch(`${base}/eudi/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: PRE, 'pre-authorized_code': code, tx_code: o.txCode }).toString() }))
      .json() as { access_token: string, authorization_details: Array<{ credential_identifiers: string[] }> }
  const out: string[] = []
  for (const id of t.authorization_details.flatMap((d) => d.credential_identifiers)) {
    const nonce = (await (await fetch(`${base}/eudi/nonce`, { method: 'POST' })).json() as { c_nonce: string }).c_nonce
    const proof = await signed({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk: holder.jwk }, { aud: base, nonce, iat: Math.floor(Date.now() / 1000) }, holder.privateKey)
    const r = await fetch(`${base}/eudi/credential`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ credential_identifier: id, proofs: { jwt: [proof] } })
    })
    if (r.status !== 200) throw new Error(`credential: ${r.status} ${await r.text()}`)
    out.push(((await r.json()) as { credentials: Array<{ credential: string }> }).credentials[0]!.credential)
  }
  return out
}
