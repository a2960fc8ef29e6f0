/**
 * The pure API of the transparency log: RFC 9162 Merkle trees and proofs, C2SP signed notes,
 * checkpoints and cosignatures. No storage, no network: `import { … } from 'lifelong/log'`.
 */

export {
  HASH_SIZE,
  MAX_PROOF_LENGTH,
  hashLeaf,
  hashChildren,
  emptyRoot,
  rootFromLeafHashes,
  bitLength,
  frontierNodes,
  inclusionProofPlan,
  consistencyProofPlan,
  proofFromPlan,
  proofFromPlanAsync,
  inclusionProof,
  inclusionProofAsync,
  consistencyProof,
  consistencyProofAsync,
  rootAt,
  rootAtAsync,
  subtreeHashes,
  inclusionProofFromLeafHashes,
  consistencyProofFromLeafHashes,
  emptyFrontier,
  appendLeafHashes,
  appendLeaves,
  frontierRoot,
  rootFromInclusionProof,
  verifyInclusion,
  verifyConsistency
} from './merkle.ts'
export type { SubtreeId, ProofPlan, NodeSource, AsyncNodeSource, StoredNode, NodeSink, Frontier } from './merkle.ts'

export {
  SIGNATURE_TYPE_ED25519,
  MAX_NOTE_SIGNATURES,
  MAX_NOTE_BYTES,
  isValidKeyName,
  isValidNoteText,
  keyId,
  formatVerifierKey,
  parseVerifierKey,
  ed25519PublicKeyBytes,
  ed25519PublicKeyObject,
  ed25519PrivateKeyFromSeed,
  ed25519VerifierKey,
  ed25519NoteVerifier,
  ed25519NoteSigner,
  parseEd25519SignerKey,
  parseNote,
  formatNote,
  signNote,
  openNote
} from './note.ts'
export type { NoteSignature, Note, OpenedNote, NoteVerifier, NoteSigner, VerifierKey, NoteLimits } from './note.ts'

export { formatCheckpoint, parseCheckpoint, openCheckpoint } from './checkpoint.ts'
export type { Checkpoint, OpenedCheckpoint } from './checkpoint.ts'

export {
  SIGNATURE_TYPE_COSIGNATURE_V1,
  COSIGNATURE_V1_HEADER,
  cosignatureV1Message,
  cosignatureV1KeyId,
  cosignatureV1VerifierKey,
  cosignatureTimestamp,
  ed25519Cosigner,
  cosignatureV1Verifier
} from './cosignature.ts'
export type { CosignerOptions, CosignatureVerifierOptions } from './cosignature.ts'

export {
  SIGNATURE_TYPE_EXTENDED,
  ML_DSA_NOTE_IDENTIFIER,
  ML_DSA_COSIGNATURE_IDENTIFIER,
  mlDsaNoteVerifierKey,
  mlDsaCosignatureVerifierKey,
  mlDsaPublicKeyOf,
  mlDsaNoteSigner,
  mlDsaNoteVerifier,
  mlDsaCosigner,
  mlDsaCosignatureVerifier
} from './ml-dsa-note.ts'

export { SIGNATURE_POLICIES, parseSignaturePolicy, logNoteVerifiers, witnessNoteVerifiers, openHybridCheckpoint } from './hybrid.ts'
export type { SignaturePolicy, HybridPublicKeys, WitnessPublicKeys, HybridOpenedCheckpoint } from './hybrid.ts'
