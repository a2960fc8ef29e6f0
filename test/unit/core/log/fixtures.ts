/** Loads the published vectors under test/fixtures/log/ (see its README.md for their sources). */

import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/log/', import.meta.url))

export function fromHex (hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

export function toHex (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

export function fromBase64 (b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64'))
}

export function readJson<T> (path: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as T
}

function walk (dir: string): string[] {
  return readdirSync(dir).sort().flatMap(name => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}

/** Every JSON file under a fixture folder, as [path relative to it, parsed content]. */
export function readJsonTree<T> (folder: string): Array<[string, T]> {
  const root = join(FIXTURES, folder)
  return walk(root).filter(p => p.endsWith('.json')).map(p => [relative(root, p), JSON.parse(readFileSync(p, 'utf8')) as T])
}

export interface ReferenceTree {
  leafInputs: string[]
  nodeHashes: string[][]
  rootHashes: string[]
  compactTrees: Array<Array<[number, number]>>
}

export interface InclusionProbe {
  leafIdx: number
  treeSize: number
  root: string
  leafHash: string
  proof: string[] | null
  desc: string
  wantErr: boolean
}

export interface ConsistencyProbe {
  size1: number
  size2: number
  root1: string
  root2: string
  proof: string[] | null
  desc: string
  wantErr: boolean
}

export interface SignedNoteVectors {
  sumdbNote: {
    peterVerifierKey: string
    peterSignerKey: string
    enochVerifierKey: string
    enochSeedHex: string
    text: string
    peterSignatureLine: string
    enochSignatureLine: string
    badVerifierKeys: string[]
  }
  c2spSignedNote: { verifierKey: string, publicKeyHex: string, note: string, unverifiableNote: string }
  c2spCheckpoint: { note: string, cosignatureTimestamp: number, signedMessage: string }
  sumdbCheckpoint: { logVerifierKey: string, origin: string, size: number, note: string, extraVerifierKeys: string[], extraSignatureLines: string[] }
  formatsCosignature: {
    cosignatureVerifierKey: string
    ed25519VerifierKeyWithPlus: string
    timestampSignatureBase64: string
    timestamp: number
    notACosignatureBase64: string
  }
  realCosignedCheckpoint: { origin: string, size: number, logVerifierKey: string, witnessVerifierKey: string, witnessTimestamp: number, note: string }
}

export const signedNotes = (): SignedNoteVectors => readJson<SignedNoteVectors>('signed-notes.json')
