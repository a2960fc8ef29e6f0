/**
 * RFC 9162 §2.1 Merkle hash trees with SHA-256: hashing, proofs and their verification.
 *
 * Everything here is a pure function: no storage, no network. A store keeps the hashes of
 * *complete* subtrees ("stored subtree hashes", the coordinates tlog-tiles uses): the subtree at
 * `(level, index)` covers leaves `[index·2^level, (index+1)·2^level)`; level 0 holds the leaf
 * hashes. Every proof element and every historical root is a fold of a few such hashes, so the
 * plan functions below ({@link inclusionProofPlan}, {@link consistencyProofPlan},
 * {@link frontierNodes}) tell a store which O(log n) subtrees to read, and
 * {@link proofFromPlan} turns the hashes it read into the proof.
 *
 * Sizes and indexes are JavaScript numbers, limited to safe integers (< 2^53). No bitwise
 * operators are used on them (those truncate to 32 bits); see {@link bitLength}.
 *
 * The verifiers ({@link verifyInclusion}, {@link verifyConsistency}) follow RFC 9162 §2.1.3.2
 * and §2.1.4.2 step by step and return `false`, never throw, on any malformed input.
 */

import { hash as oneShotHash } from 'node:crypto'
import { LifelongError, ValidationError } from '../errors.ts'
import { NATIVE_THRESHOLD, sha256Into, sha256Node, sha256NodeAt, sha256Prefixed } from './sha256.ts'

/** Size in bytes of every hash in the tree (SHA-256). */
export const HASH_SIZE = 32

/**
 * Proofs longer than this are rejected before any hashing. For trees of at most 2^53 − 1 leaves
 * an inclusion proof has at most 53 elements and a consistency proof at most 54.
 */
export const MAX_PROOF_LENGTH = 64

const LEAF_PREFIX = 0x00
const NODE_PREFIX = 0x01
const TWO_POW_32 = 2 ** 32

/** Coordinates of a complete subtree: it covers leaves `[index·2^level, (index+1)·2^level)`. */
export interface SubtreeId {
  readonly level: number
  readonly index: number
}

/**
 * What a proof needs from storage: one entry per proof element, in proof order. Each entry
 * lists complete subtrees from left to right; the proof element is their right fold
 * `H(s0, H(s1, … H(s[k−2], s[k−1])))` — a single subtree in most entries, several when the
 * element is the root of an incomplete subtree on the tree's right edge (RFC 9162 §2.1.1: MTH
 * splits at the largest power of two smaller than n, so an incomplete range is exactly the fold
 * of its power-of-two decomposition).
 */
export type ProofPlan = SubtreeId[][]

/** A synchronous source of complete-subtree hashes (see {@link SubtreeId}). */
export type NodeSource = (level: number, index: number) => Uint8Array

/** A source of complete-subtree hashes that may answer asynchronously (a LevelDB store). */
export type AsyncNodeSource = (level: number, index: number) => Uint8Array | Promise<Uint8Array>

/** A complete subtree hash produced by an append, for the store to keep. */
export interface StoredNode {
  readonly level: number
  readonly index: number
  readonly hash: Uint8Array
}

/** Receives each complete subtree hash an append produces, without allocating a record for it. */
export type NodeSink = (level: number, index: number, hash: Uint8Array) => void

/**
 * The right edge of a tree of `size` leaves (a "compact range" [0, size)): one hash per set bit
 * of `size`, from the largest (leftmost) subtree to the smallest (rightmost). Enough to append
 * leaves and to compute the root without reading anything else.
 */
export interface Frontier {
  readonly size: number
  readonly hashes: readonly Uint8Array[]
}

// ---------------------------------------------------------------------------------------------
// Hashing (RFC 9162 §2.1.1)

/** The leaf hash `SHA-256(0x00 ‖ data)` (RFC 9162 §2.1.1). */
export function hashLeaf (data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HASH_SIZE)
  hashLeafInto(data, 0, data.length, out, 0)
  return out
}

/**
 * The leaf hash of `data[offset, offset + length)` written to `out` at `outOffset`: JavaScript
 * for short leaves (no allocation), one node:crypto call for long ones.
 */
export function hashLeafInto (data: Uint8Array, offset: number, length: number, out: Uint8Array, outOffset: number): void {
  if (length + 1 < NATIVE_THRESHOLD) {
    sha256Into(data, offset, length, LEAF_PREFIX, out, outOffset)
    return
  }
  const input = Buffer.allocUnsafe(1 + length)
  input[0] = LEAF_PREFIX
  input.set(data.subarray(offset, offset + length), 1)
  out.set(oneShotHash('sha256', input, 'buffer'), outOffset)
}

/**
 * The interior node hash `SHA-256(0x01 ‖ left ‖ right)` (RFC 9162 §2.1.1), computed by the
 * two-block JavaScript compression of `sha256.ts` (about twice as fast as a node:crypto call).
 */
export function hashChildren (left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) return sha256Prefixed(NODE_PREFIX, left, right)
  return sha256Node(left, right)
}

/** The root of the empty tree, `SHA-256("")` (RFC 9162 §2.1.1: MTH({}) = HASH()). */
export function emptyRoot (): Uint8Array {
  const digest = oneShotHash('sha256', new Uint8Array(0), 'buffer')
  return new Uint8Array(digest.buffer, digest.byteOffset, HASH_SIZE)
}

/**
 * MTH(D[n]) from the leaf hashes (RFC 9162 §2.1.1): the empty root for n = 0, the leaf hash for
 * n = 1, else `H(MTH(D[0:k]), MTH(D[k:n]))` with k the largest power of two smaller than n.
 */
export function rootFromLeafHashes (leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return emptyRoot()
  return mth(leafHashes, 0, leafHashes.length)
}

function mth (leafHashes: readonly Uint8Array[], lo: number, hi: number): Uint8Array {
  const n = hi - lo
  if (n === 1) return leafHashes[lo] as Uint8Array
  const k = largestPowerOfTwoBelow(n)
  return hashChildren(mth(leafHashes, lo, lo + k), mth(leafHashes, lo + k, hi))
}

// ---------------------------------------------------------------------------------------------
// Integer helpers for sizes up to 2^53 − 1 (bitwise operators would truncate to 32 bits)

/** Number of bits needed to write `n` (0 for 0); exact for every safe integer. */
export function bitLength (n: number): number {
  if (n < TWO_POW_32) return 32 - Math.clz32(n)
  return 64 - Math.clz32(Math.floor(n / TWO_POW_32))
}

/** The largest power of two strictly smaller than `n`, for n ≥ 2 (RFC 9162 §2.1.1's k). */
function largestPowerOfTwoBelow (n: number): number {
  return 2 ** (bitLength(n - 1) - 1)
}

function isPowerOfTwo (n: number): boolean {
  return n > 0 && 2 ** (bitLength(n) - 1) === n
}

function isOdd (n: number): boolean {
  return n % 2 === 1
}

function half (n: number): number {
  return Math.floor(n / 2)
}

function countOnes (n: number): number {
  let count = 0
  for (let x = n; x > 0; x = half(x)) count += x % 2
  return count
}

function isSize (n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
}

function isHash (h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE
}

function bytesEqual (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** A defensive copy of a proof, or undefined if it is not an array of at most `max` hashes. */
function readProof (proof: unknown, max: number): Uint8Array[] | undefined {
  if (!Array.isArray(proof) || proof.length > max) return undefined
  const out: Uint8Array[] = []
  for (let i = 0; i < proof.length; i++) {
    const element: unknown = proof[i]
    if (!isHash(element)) return undefined
    out.push(element)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Which complete subtrees a proof or a root needs

function assertSize (size: unknown, path: string): asserts size is number {
  if (!isSize(size)) {
    throw new ValidationError('LOG_MERKLE_SIZE_INVALID', `${path} must be a safe non-negative integer`, [
      { path, message: 'must be a safe non-negative integer' }
    ])
  }
}

/**
 * Appends to `out` the power-of-two decomposition of the leaf range [lo, hi), left to right.
 * In every range RFC 9162's recursion produces, lo is a multiple of the chosen power of two, so
 * each part is a complete subtree.
 */
function pushRange (lo: number, hi: number, out: SubtreeId[]): void {
  while (lo < hi) {
    let width = 2 ** (bitLength(hi - lo) - 1)
    while (lo % width !== 0) width /= 2
    out.push({ level: bitLength(width) - 1, index: lo / width })
    lo += width
  }
}

function rangeNodes (lo: number, hi: number): SubtreeId[] {
  const out: SubtreeId[] = []
  pushRange(lo, hi, out)
  return out
}

/**
 * The complete subtrees whose right fold is the root of the tree of `size` leaves — the same
 * subtrees a {@link Frontier} of that size holds, largest first. Empty for size 0.
 */
export function frontierNodes (size: number): SubtreeId[] {
  assertSize(size, 'size')
  return rangeNodes(0, size)
}

/**
 * Which subtree hashes make up the inclusion proof of leaf `index` in the tree of `size`
 * leaves, following PATH(m, D[n]) of RFC 9162 §2.1.3.1:
 * PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) if m < k, else PATH(m − k, D[k:n]) : MTH(D[0:k]).
 *
 * @throws ValidationError `LOG_MERKLE_SIZE_INVALID` or `LOG_MERKLE_INDEX_OUT_OF_RANGE`
 */
export function inclusionProofPlan (index: number, size: number): ProofPlan {
  assertSize(index, 'index')
  assertSize(size, 'size')
  if (index >= size) {
    throw new ValidationError('LOG_MERKLE_INDEX_OUT_OF_RANGE', `leaf index ${index} is not below tree size ${size}`, [
      { path: 'index', message: 'must be smaller than size' }
    ])
  }
  // Walk PATH's recursion top-down, iteratively; each level contributes its sibling range, and
  // the proof lists them bottom-up. A left sibling [lo, lo + k) is always one complete subtree
  // (lo is a multiple of k); a right sibling [lo + k, hi) is one when its width is a power of
  // two, else (only on the tree's right edge) its power-of-two decomposition.
  const plan: ProofPlan = new Array(bitLength(size - 1))
  let depth = 0
  let lo = 0
  let hi = size
  while (hi - lo > 1) {
    const n = hi - lo
    const k = largestPowerOfTwoBelow(n)
    if (index - lo < k) {
      const width = n - k
      plan[depth++] = isPowerOfTwo(width) ? [{ level: bitLength(width) - 1, index: (lo + k) / width }] : rangeNodes(lo + k, hi)
      hi = lo + k
    } else {
      plan[depth++] = [{ level: bitLength(k) - 1, index: lo / k }]
      lo += k
    }
  }
  plan.length = depth
  return plan.reverse()
}

/**
 * Which subtree hashes make up the consistency proof from `size1` to `size2`, following
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1. Equal sizes give an empty
 * proof. A proof from the empty tree is meaningless (RFC 9162 §2.1.4 requires 0 < m) and
 * rejected, as {@link verifyConsistency} rejects it.
 *
 * @throws ValidationError `LOG_MERKLE_SIZE_INVALID` or `LOG_MERKLE_CONSISTENCY_RANGE_INVALID`
 */
export function consistencyProofPlan (size1: number, size2: number): ProofPlan {
  assertSize(size1, 'size1')
  assertSize(size2, 'size2')
  if (size1 === 0 || size1 > size2) {
    throw new ValidationError('LOG_MERKLE_CONSISTENCY_RANGE_INVALID', `no consistency proof from size ${size1} to size ${size2}`, [
      { path: size1 === 0 ? 'size1' : 'size2', message: size1 === 0 ? 'must be positive' : 'must not be smaller than size1' }
    ])
  }
  const plan: ProofPlan = []
  subproofPlan(size1, 0, size2, true, plan)
  return plan
}

function subproofPlan (m: number, lo: number, hi: number, haveRoot: boolean, plan: ProofPlan): void {
  const n = hi - lo
  if (m === n) {
    // SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
    if (!haveRoot) plan.push(rangeNodes(lo, hi))
    return
  }
  const k = largestPowerOfTwoBelow(n)
  if (m <= k) {
    subproofPlan(m, lo, lo + k, haveRoot, plan)
    plan.push(rangeNodes(lo + k, hi))
  } else {
    subproofPlan(m - k, lo + k, hi, false, plan)
    plan.push(rangeNodes(lo, lo + k))
  }
}

// ---------------------------------------------------------------------------------------------
// Proofs from a source of subtree hashes

function checkedNode (hash: unknown, id: SubtreeId): Uint8Array {
  if (!isHash(hash)) {
    throw new LifelongError('internal', 'LOG_MERKLE_NODE_INVALID', `node source returned no ${HASH_SIZE}-byte hash for level ${id.level} index ${id.index}`)
  }
  return hash
}

/** Right fold `H(h0, H(h1, … H(h[k−2], h[k−1])))` of hashes of adjacent subtrees. */
function foldRight (hashes: readonly Uint8Array[]): Uint8Array {
  let acc = hashes[hashes.length - 1] as Uint8Array
  for (let i = hashes.length - 2; i >= 0; i--) acc = hashChildren(hashes[i] as Uint8Array, acc)
  return acc
}

/**
 * Builds a proof from its plan, reading each subtree hash from `getNode`. A store with a
 * batch read can instead fetch `plan.flat()` at once and pass a lookup into that result.
 *
 * @throws LifelongError `LOG_MERKLE_NODE_INVALID` if `getNode` returns anything but a 32-byte hash
 */
export function proofFromPlan (plan: ProofPlan, getNode: NodeSource): Uint8Array[] {
  const proof: Uint8Array[] = new Array(plan.length)
  for (let p = 0; p < plan.length; p++) {
    const group = plan[p] as SubtreeId[]
    const last = group[group.length - 1] as SubtreeId
    let acc = checkedNode(getNode(last.level, last.index), last)
    for (let j = group.length - 2; j >= 0; j--) {
      const id = group[j] as SubtreeId
      acc = hashChildren(checkedNode(getNode(id.level, id.index), id), acc)
    }
    proof[p] = acc
  }
  return proof
}

/** {@link proofFromPlan} with an asynchronous source; all reads are issued at once. */
export async function proofFromPlanAsync (plan: ProofPlan, getNode: AsyncNodeSource): Promise<Uint8Array[]> {
  const groups = await Promise.all(plan.map(async group => {
    return await Promise.all(group.map(async id => checkedNode(await getNode(id.level, id.index), id)))
  }))
  return groups.map(foldRight)
}

/** The inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3.1). */
export function inclusionProof (index: number, size: number, getNode: NodeSource): Uint8Array[] {
  return proofFromPlan(inclusionProofPlan(index, size), getNode)
}

/** {@link inclusionProof} with an asynchronous node source. */
export async function inclusionProofAsync (index: number, size: number, getNode: AsyncNodeSource): Promise<Uint8Array[]> {
  return await proofFromPlanAsync(inclusionProofPlan(index, size), getNode)
}

/** The consistency proof from `size1` to `size2` (RFC 9162 §2.1.4.1); empty if they are equal. */
export function consistencyProof (size1: number, size2: number, getNode: NodeSource): Uint8Array[] {
  return proofFromPlan(consistencyProofPlan(size1, size2), getNode)
}

/** {@link consistencyProof} with an asynchronous node source. */
export async function consistencyProofAsync (size1: number, size2: number, getNode: AsyncNodeSource): Promise<Uint8Array[]> {
  return await proofFromPlanAsync(consistencyProofPlan(size1, size2), getNode)
}

/** The root of the tree of `size` leaves (any past size of a stored tree), from subtree hashes. */
export function rootAt (size: number, getNode: NodeSource): Uint8Array {
  const nodes = frontierNodes(size)
  if (nodes.length === 0) return emptyRoot()
  return foldRight(nodes.map(id => checkedNode(getNode(id.level, id.index), id)))
}

/** {@link rootAt} with an asynchronous node source. */
export async function rootAtAsync (size: number, getNode: AsyncNodeSource): Promise<Uint8Array> {
  const nodes = frontierNodes(size)
  if (nodes.length === 0) return emptyRoot()
  return foldRight(await Promise.all(nodes.map(async id => checkedNode(await getNode(id.level, id.index), id))))
}

// ---------------------------------------------------------------------------------------------
// In-memory helpers (tests, small tools)

/**
 * Every complete subtree hash of the tree with these leaves: `result[level][index]`. Level 0 is
 * the leaf hashes themselves. O(n) hashes and memory; meant for tests and small tools.
 */
export function subtreeHashes (leafHashes: readonly Uint8Array[]): Uint8Array[][] {
  const levels: Uint8Array[][] = [leafHashes.slice()]
  for (let below = levels[0] as Uint8Array[]; below.length >= 2;) {
    const level: Uint8Array[] = []
    for (let i = 0; i + 1 < below.length; i += 2) level.push(hashChildren(below[i] as Uint8Array, below[i + 1] as Uint8Array))
    levels.push(level)
    below = level
  }
  return levels
}

function memorySource (leafHashes: readonly Uint8Array[]): NodeSource {
  const levels = subtreeHashes(leafHashes)
  return (level, index) => levels[level]?.[index] as Uint8Array
}

/** The inclusion proof of leaf `index` in the tree made of the first `size` leaf hashes. */
export function inclusionProofFromLeafHashes (leafHashes: readonly Uint8Array[], index: number, size: number = leafHashes.length): Uint8Array[] {
  assertWithin(size, leafHashes.length)
  return inclusionProof(index, size, memorySource(leafHashes))
}

/** The consistency proof between the trees made of the first `size1` and `size2` leaf hashes. */
export function consistencyProofFromLeafHashes (leafHashes: readonly Uint8Array[], size1: number, size2: number = leafHashes.length): Uint8Array[] {
  assertWithin(size2, leafHashes.length)
  return consistencyProof(size1, size2, memorySource(leafHashes))
}

function assertWithin (size: number, available: number): void {
  assertSize(size, 'size')
  if (size > available) {
    throw new ValidationError('LOG_MERKLE_SIZE_INVALID', `size ${size} exceeds the ${available} leaf hashes given`, [
      { path: 'size', message: 'must not exceed the number of leaf hashes' }
    ])
  }
}

// ---------------------------------------------------------------------------------------------
// Appending: the frontier (compact range [0, n))

/** The frontier of the empty tree. */
export function emptyFrontier (): Frontier {
  return { size: 0, hashes: [] }
}

function assertFrontier (frontier: Frontier): void {
  assertSize(frontier?.size, 'frontier.size')
  const hashes: unknown = frontier.hashes
  if (!Array.isArray(hashes) || hashes.length !== countOnes(frontier.size) || !hashes.every(isHash)) {
    throw new ValidationError('LOG_MERKLE_FRONTIER_INVALID', 'frontier must hold one 32-byte hash per set bit of its size', [
      { path: 'frontier.hashes', message: `must hold ${countOnes(frontier.size)} hashes of ${HASH_SIZE} bytes` }
    ])
  }
}

/**
 * Appends leaf hashes to a frontier, calling `onNode` for every complete subtree hash that
 * comes into existence, in order: the leaf itself at level 0, then each subtree it completes
 * (a store writes exactly these). The input frontier is not modified; the work is done on one
 * private copy, so a batch allocates only the new hashes.
 *
 * @throws ValidationError `LOG_MERKLE_FRONTIER_INVALID`, `LOG_MERKLE_LEAF_HASH_INVALID`, `LOG_MERKLE_SIZE_INVALID`
 */
export function appendLeafHashes (frontier: Frontier, leafHashes: readonly Uint8Array[], onNode?: NodeSink): Frontier {
  assertFrontier(frontier)
  if (frontier.size + leafHashes.length > Number.MAX_SAFE_INTEGER) {
    throw new ValidationError('LOG_MERKLE_SIZE_INVALID', 'tree would exceed 2^53 - 1 leaves', [{ path: 'leafHashes', message: 'too many leaves' }])
  }
  const hashes = frontier.hashes.slice()
  let size = frontier.size
  for (let i = 0; i < leafHashes.length; i++) {
    let hash = leafHashes[i]
    if (!isHash(hash)) {
      throw new ValidationError('LOG_MERKLE_LEAF_HASH_INVALID', `leaf hash ${i} is not a ${HASH_SIZE}-byte Uint8Array`, [
        { path: `leafHashes/${i}`, message: `must be a ${HASH_SIZE}-byte Uint8Array` }
      ])
    }
    let level = 0
    let index = size
    onNode?.(level, index, hash)
    // Each trailing one bit of the old size is a left sibling on the frontier to merge with.
    for (let carry = size; isOdd(carry); carry = half(carry)) {
      hash = hashChildren(hashes.pop() as Uint8Array, hash)
      level++
      index = half(index)
      onNode?.(level, index, hash)
    }
    hashes.push(hash)
    size++
  }
  return { size, hashes }
}

/** {@link appendLeafHashes} returning the new complete subtree hashes as a list. */
export function appendLeaves (frontier: Frontier, leafHashes: readonly Uint8Array[]): { frontier: Frontier, nodes: StoredNode[] } {
  const nodes: StoredNode[] = []
  const next = appendLeafHashes(frontier, leafHashes, (level, index, hash) => {
    nodes.push({ level, index, hash })
  })
  return { frontier: next, nodes }
}

/** The root of the tree the frontier describes (the empty root for size 0). */
export function frontierRoot (frontier: Frontier): Uint8Array {
  assertFrontier(frontier)
  if (frontier.hashes.length === 0) return emptyRoot()
  return foldRight(frontier.hashes)
}

// ---------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2, §2.1.4.2)

/**
 * Whether `proof` is an array of at most `max` 32-byte hashes (checked in place, no copy).
 * The verifiers read each element once, after this check, so a proof array cannot change
 * under them (nothing here awaits).
 */
function isProof (proof: unknown, max: number): proof is readonly Uint8Array[] {
  if (!Array.isArray(proof) || proof.length > max) return false
  for (let i = 0; i < proof.length; i++) if (!isHash(proof[i])) return false
  return true
}

/**
 * RFC 9162 §2.1.3.2 steps 2–5 into `r` (which holds the leaf hash on entry and the root on a
 * true return). Inputs are already checked. No allocation: every level hashes into `r`.
 */
function foldInclusion (r: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[]): boolean {
  // 2. fn = leaf_index, sn = tree_size − 1.
  let fn = index
  let sn = treeSize - 1
  // 4. For each p in inclusion_path:
  for (let i = 0; i < proof.length; i++) {
    const p = proof[i] as Uint8Array
    // a. sn = 0 means the path is too long.
    if (sn === 0) return false
    // b. A right child, or the last node of its level: p is a left sibling.
    if (isOdd(fn) || fn === sn) {
      sha256NodeAt(p, 0, r, 0, r, 0)
      // If LSB(fn) is not set, shift until it is or fn is 0: the levels where this node is
      // the last of its level and has no sibling (the right edge of an incomplete tree).
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      sha256NodeAt(r, 0, p, 0, r, 0)
    }
    // c. Up one level.
    fn = half(fn)
    sn = half(sn)
  }
  // 5. sn must be 0: otherwise the path was too short.
  return sn === 0
}

/**
 * The root an inclusion proof leads to, by RFC 9162 §2.1.3.2 steps 1–4, or `undefined` if the
 * inputs are malformed or the proof has the wrong length for `index` and `treeSize` (step 4a,
 * and sn ≠ 0 in step 5). Never throws.
 */
export function rootFromInclusionProof (leafHash: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[]): Uint8Array | undefined {
  if (!isHash(leafHash) || !isSize(index) || !isSize(treeSize) || !isProof(proof, MAX_PROOF_LENGTH)) return undefined
  // 1. leaf_index ≥ tree_size fails.
  if (index >= treeSize) return undefined
  // 3. r = hash.
  const r = Uint8Array.from(leafHash)
  return foldInclusion(r, index, treeSize, proof) ? r : undefined
}

/** The accumulator of {@link verifyInclusion} (single-threaded, nothing awaits). */
const ACC = new Uint8Array(HASH_SIZE)

/**
 * Verifies an inclusion proof (RFC 9162 §2.1.3.2): `leafHash` is the leaf at `index` in the
 * tree of `treeSize` leaves whose root is `root`. False, never an exception, for any malformed
 * input: hashes that are not 32-byte Uint8Arrays, sizes that are not safe non-negative integers,
 * index ≥ size, a proof too long or too short. Allocates nothing.
 */
export function verifyInclusion (leafHash: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isHash(root) || !isHash(leafHash) || !isSize(index) || !isSize(treeSize) || !isProof(proof, MAX_PROOF_LENGTH)) return false
  if (index >= treeSize) return false
  ACC.set(leafHash)
  return foldInclusion(ACC, index, treeSize, proof) && bytesEqual(ACC, root)
}

/** One inclusion proof of a batch checked against one tree (see {@link verifyInclusions}). */
export interface InclusionToVerify {
  leafHash: Uint8Array
  index: number
  proof: readonly Uint8Array[]
}

/**
 * Verifies many inclusion proofs against one tree (`treeSize`, `root`): for each, the same
 * answer as {@link verifyInclusion}. Proofs of one tree share the nodes near the root, so the
 * path from a node a proof of this batch already proved is not hashed again: a later proof
 * that reaches the same node (same position) with the same hash and has the same remaining
 * elements as the proof that proved it leads to the same root, which is checked by comparing
 * bytes instead of hashing; any difference and it is hashed up to the root like any other.
 * Only nodes of proofs that verified are kept, so a bad proof never vouches for another. At
 * 2,000 random proofs of a 10,000,000-entry tree about the top eleven of 24 levels are shared.
 *
 * Only the levels with at most four nodes per proof of the batch are kept (below them two
 * random proofs rarely meet); their nodes' hashes sit in one growing buffer, found through one
 * array per level indexed by position, so a proof allocates nothing of its own and the
 * bookkeeping costs less than the hashes it saves (docs/BENCHMARKS.md, the log section).
 */
export function verifyInclusions (items: readonly InclusionToVerify[], treeSize: number, root: Uint8Array): boolean[] {
  const out = new Array<boolean>(items.length).fill(false)
  if (!isHash(root) || !isSize(treeSize) || treeSize === 0) return out
  // A node's position: after `lv` halvings sn = ⌊(treeSize − 1) / 2^lv⌋ is the same for every
  // proof of this tree, so (lv, fn) names one node, 0 ≤ fn ≤ sn. byLevel[lv][fn] is 1 + the
  // node's slot (0: none): its hash at hashes[32·slot…], the proof and the element from which
  // that proof went on to the root. Levels with more than `kept` nodes are not kept.
  const kept = 4 * items.length
  const byLevel: Array<Int32Array | undefined> = []
  let hashes = new Uint8Array(HASH_SIZE * 1024)
  const proofs: Array<readonly Uint8Array[]> = []
  const nexts: number[] = []
  let used = 0
  // The nodes the current proof passes, kept only if it verifies (slots used, used + 1, …).
  const pendingLevel: number[] = []
  const pendingFn: number[] = []
  const pendingNext: number[] = []
  const r = new Uint8Array(HASH_SIZE)
  for (let k = 0; k < items.length; k++) {
    const { leafHash, index, proof } = items[k]!
    if (!isHash(leafHash) || !isSize(index) || !isProof(proof, MAX_PROOF_LENGTH) || index >= treeSize) continue
    r.set(leafHash)
    let fn = index
    let sn = treeSize - 1
    let lv = 0
    let pending = 0
    // A tree of one leaf: the empty proof, and the leaf is the root.
    let ok = proof.length === 0 && sn === 0 && bytesEqual(r, root)
    for (let i = 0; i < proof.length; i++) {
      if (sn === 0) break
      const p = proof[i]!
      if (isOdd(fn) || fn === sn) {
        sha256NodeAt(p, 0, r, 0, r, 0)
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn)
          sn = half(sn)
          lv++
        }
      } else {
        sha256NodeAt(r, 0, p, 0, r, 0)
      }
      fn = half(fn)
      sn = half(sn)
      lv++
      if (sn === 0) {
        ok = i === proof.length - 1 && bytesEqual(r, root)
        break
      }
      if (sn >= kept) continue
      const slot = (byLevel[lv]?.[fn] ?? 0) - 1
      if (slot >= 0 && equalAt(r, hashes, HASH_SIZE * slot) && sameTail(proof, i + 1, proofs[slot]!, nexts[slot]!)) {
        ok = true
        break
      }
      const at = HASH_SIZE * (used + pending)
      if (at + HASH_SIZE > hashes.length) {
        const grown = new Uint8Array(2 * hashes.length)
        grown.set(hashes)
        hashes = grown
      }
      for (let b = 0; b < HASH_SIZE; b++) hashes[at + b] = r[b]!
      pendingLevel[pending] = lv
      pendingFn[pending] = fn
      pendingNext[pending] = i + 1
      pending++
    }
    if (!ok) continue
    out[k] = true
    for (let j = 0; j < pending; j++) {
      const slot = used + j
      const lvj = pendingLevel[j]!
      let level = byLevel[lvj]
      if (level === undefined) byLevel[lvj] = level = new Int32Array(Math.floor((treeSize - 1) / 2 ** lvj) + 1)
      level[pendingFn[j]!] = slot + 1
      proofs[slot] = proof
      nexts[slot] = pendingNext[j]!
    }
    used += pending
  }
  return out
}

/** Whether the 32 bytes of `a` equal those of `b` from `offset`. */
function equalAt (a: Uint8Array, b: Uint8Array, offset: number): boolean {
  for (let i = 0; i < HASH_SIZE; i++) if (a[i] !== b[offset + i]) return false
  return true
}

/** Whether `a` from `i` and `b` from `j` hold the same hashes. */
function sameTail (a: readonly Uint8Array[], i: number, b: readonly Uint8Array[], j: number): boolean {
  if (a.length - i !== b.length - j) return false
  for (; i < a.length; i++, j++) if (!bytesEqual(a[i]!, b[j]!)) return false
  return true
}

/**
 * Verifies a consistency proof (RFC 9162 §2.1.4.2): the tree of `size1` leaves with root
 * `root1` is a prefix of the tree of `size2` leaves with root `root2`.
 *
 * RFC 9162 §2.1.4 defines proofs for 0 < size1 < size2. For size1 = size2 the only valid proof
 * is the empty one and the roots must be equal (as transparency-dev/merkle decides); a proof
 * from size 0 is rejected (the empty tree is a prefix of every tree, so there is nothing to
 * prove — a witness handles "old size 0" itself, c2sp.org/tlog-witness). False, never an
 * exception, for any malformed input.
 */
export function verifyConsistency (size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (!isSize(size1) || !isSize(size2) || !isHash(root1) || !isHash(root2)) return false
  const path = readProof(proof, MAX_PROOF_LENGTH)
  if (path === undefined) return false
  if (size1 === 0 || size1 > size2) return false
  if (size1 === size2) return path.length === 0 && bytesEqual(root1, root2)
  // 1. An empty consistency_path fails.
  if (path.length === 0) return false
  // 2. If first is an exact power of 2, prepend first_hash to the path.
  if (isPowerOfTwo(size1)) path.unshift(root1)
  // 3. fn = first − 1, sn = second − 1.
  let fn = size1 - 1
  let sn = size2 - 1
  // 4. While LSB(fn) is set, shift both right.
  while (isOdd(fn)) {
    fn = half(fn)
    sn = half(sn)
  }
  // 5. fr = sr = the first value of the path.
  let fr = path[0] as Uint8Array
  let sr = fr
  // 6. For each subsequent value c:
  for (let i = 1; i < path.length; i++) {
    const c = path[i] as Uint8Array
    // a. sn = 0 means the path is too long.
    if (sn === 0) return false
    // b. c is a left sibling on both paths.
    if (isOdd(fn) || fn === sn) {
      fr = hashChildren(c, fr)
      sr = hashChildren(c, sr)
      // If LSB(fn) is not set, shift until it is or fn is 0.
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn)
        sn = half(sn)
      }
    } else {
      // Otherwise c is a right sibling that only the second tree has.
      sr = hashChildren(sr, c)
    }
    // c. Up one level.
    fn = half(fn)
    sn = half(sn)
  }
  // 7. fr = first_hash, sr = second_hash and sn = 0.
  return sn === 0 && bytesEqual(fr, root1) && bytesEqual(sr, root2)
}
