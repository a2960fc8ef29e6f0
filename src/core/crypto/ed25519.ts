/**
 * Ed25519 signing and verification with Node's own crypto (several times faster than the
 * pure-JS path through @libp2p/crypto), and conversions between the key forms the project
 * meets: raw 32-byte public keys, PKCS#8 PEM files, libp2p private keys and peer IDs.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { privateKeyFromRaw, publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey, peerIdFromMultihash, peerIdFromString } from '@libp2p/peer-id'
import * as Digest from 'multiformats/hashes/digest'
import type { Ed25519PublicKey, PeerId, PrivateKey } from '@libp2p/interface'
import { LifelongError } from '../errors.ts'
import { privateKeyFromPem, rawPublicKeys } from './key-objects.ts'

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4); the raw key follows. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
export const PUBLIC_KEY_LENGTH = 32
export const SIGNATURE_LENGTH = 64

/** An Ed25519 key pair held as Node KeyObjects, with the raw public key at hand. */
export interface SigningKey {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** Raw 32-byte public key. */
  readonly publicKeyRaw: Uint8Array
}

export function generateSigningKey (): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519')
  return signingKeyFromPrivate(privateKey)
}

export function signingKeyFromPrivate (privateKey: KeyObject): SigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new LifelongError('invalid', 'KEY_NOT_ED25519', `expected an Ed25519 key, got ${String(privateKey.asymmetricKeyType)}`)
  }
  const publicKey = createPublicKey(privateKey)
  const publicKeyRaw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length))
  return { privateKey, publicKey, publicKeyRaw }
}

/** Parses a PKCS#8 PEM private key (the form node key files are stored in). */
export function signingKeyFromPem (pem: string): SigningKey {
  return signingKeyFromPrivate(privateKeyFromPem(pem))
}

export function signingKeyToPem (key: SigningKey): string {
  return key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
}

/** Signs `data` with Ed25519 (RFC 8032, pure: no pre-hash). */
export function signBytes (key: SigningKey, data: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, data, key.privateKey))
}

/** Returns the Node KeyObject for a raw 32-byte Ed25519 public key, or undefined if it is not one (cached). */
export const publicKeyObject = rawPublicKeys(SPKI_PREFIX, PUBLIC_KEY_LENGTH, 4096)

/** Verifies an Ed25519 signature; false (never a throw) for any malformed key or signature. */
export function verifyBytes (publicKeyRaw: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false
  const key = publicKeyObject(publicKeyRaw)
  if (key === undefined) return false
  try {
    return verify(null, data, key, signature)
  } catch {
    return false
  }
}

/** The libp2p form of the key, for the libp2p host's identity (Noise handshake, identify). */
export function toLibp2pPrivateKey (key: SigningKey): PrivateKey {
  const jwk = key.privateKey.export({ format: 'jwk' })
  if (typeof jwk.d !== 'string') throw new LifelongError('internal', 'KEY_EXPORT_FAILED', 'cannot export the private key')
  const seed = Buffer.from(jwk.d, 'base64url')
  return privateKeyFromRaw(Buffer.concat([seed, key.publicKeyRaw]))
}

/** The peer ID of a raw Ed25519 public key (identity multihash, as libp2p derives it). */
export function peerIdFromRawPublicKey (raw: Uint8Array): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(raw) as Ed25519PublicKey)
}

/**
 * Decodes peer ID bytes (an identity multihash of an Ed25519 key) into the peer ID and its raw
 * public key, or undefined if the bytes are anything else. Never throws on attacker-controlled input.
 */
export function decodePeerIdBytes (bytes: Uint8Array): { peerId: PeerId, publicKey: Uint8Array } | undefined {
  try {
    const peerId = peerIdFromMultihash(Digest.decode(bytes))
    if (peerId.type !== 'Ed25519') return undefined
    return { peerId, publicKey: peerId.publicKey.raw }
  } catch {
    return undefined
  }
}

/** Parses a base58 peer ID string, with a stable error code on failure. */
export function parsePeerId (text: string): PeerId {
  try {
    const peerId = peerIdFromString(text)
    if (peerId.type !== 'Ed25519') throw new LifelongError('invalid', 'KEY_PEER_ID_INVALID', 'not an Ed25519 peer ID')
    return peerId
  } catch (err) {
    throw new LifelongError('invalid', 'KEY_PEER_ID_INVALID', `not an Ed25519 peer ID: ${text.slice(0, 80)}`, { cause: err })
  }
}

/** Encodes a raw public key as the `ed25519:<base64>` text form used in config files. */
export function formatPublicKey (raw: Uint8Array): string {
  return `ed25519:${Buffer.from(raw).toString('base64')}`
}

/** Parses `ed25519:<base64>` (the config form of an operator key). */
export function parsePublicKey (text: string): Uint8Array {
  const match = /^ed25519:([A-Za-z0-9+/]{43}=)$/.exec(text)
  const raw = match?.[1] === undefined ? undefined : new Uint8Array(Buffer.from(match[1], 'base64'))
  if (raw === undefined || publicKeyObject(raw) === undefined) {
    throw new LifelongError('invalid', 'KEY_PUBLIC_INVALID', 'expected an Ed25519 public key as "ed25519:<base64 of 32 bytes>"')
  }
  return raw
}
