import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  appendLeafHashes,
  appendLeaves,
  consistencyProof,
  emptyFrontier,
  frontierRoot,
  hashLeaf,
  inclusionProof,
  rootAt,
  rootFromLeafHashes,
  subtreeHashes,
  verifyConsistency,
  verifyInclusion,
  verifyInclusions,
  type InclusionToVerify,
  type NodeSource
} from '../../../../src/core/log/merkle.ts'

/**
 * A random tree: distinct leaves (identical siblings would make H(a, b) = H(b, a)). `root(size)`
 * is the reference root of the first `size` leaves (MTH of RFC 9162 §2.1.1 over them, by
 * `rootFromLeafHashes`), computed when first asked for: each costs `size` hashes, and most
 * properties ask for one or two sizes of a tree, not all n + 1.
 */
const tree = (maxLeaves: number): fc.Arbitrary<{ leaves: Uint8Array[], getNode: NodeSource, root: (size: number) => Uint8Array }> =>
  fc.tuple(fc.integer({ min: 1, max: maxLeaves }), fc.uint8Array({ minLength: 0, maxLength: 16 })).map(([n, seed]) => {
    const leaves = Array.from({ length: n }, (_, i) => hashLeaf(Uint8Array.from([...seed, i & 0xff, i >> 8])))
    const levels = subtreeHashes(leaves)
    const getNode: NodeSource = (level, index) => levels[level]?.[index] as Uint8Array
    const roots: Uint8Array[] = []
    const root = (size: number): Uint8Array => (roots[size] ??= rootFromLeafHashes(leaves.slice(0, size)))
    return { leaves, getNode, root }
  })

function flipBit (bytes: Uint8Array, bit: number): Uint8Array {
  const copy = bytes.slice()
  const i = Math.floor(bit / 8) % copy.length
  copy[i] = (copy[i] as number) ^ (1 << (bit % 8))
  return copy
}

function flipSizeBit (n: number, bit: number): number {
  return n ^ (1 << bit) // sizes here are small, so 32-bit xor is exact
}

/**
 * Which side each inclusion proof element is on, from the recursive PATH(m, D[n]) of RFC 9162
 * §2.1.3.1 — an independent statement of the shape the verifier's loop follows.
 */
function pathSides (m: number, n: number): string {
  if (n <= 1) return ''
  let k = 1
  while (k * 2 < n) k *= 2
  return m < k ? pathSides(m, k) + 'R' : pathSides(m - k, n - k) + 'L'
}

/** The same for SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1: S = the seed MTH(D[m]). */
function subproofSides (m: number, n: number, b: boolean): string {
  if (m === n) return b ? '' : 'S'
  let k = 1
  while (k * 2 < n) k *= 2
  return m <= k ? subproofSides(m, k, b) + 'R' : subproofSides(m - k, n - k, false) + 'L'
}

const consistencyShape = (m: number, n: number): string | undefined => m > 0 && m < n ? subproofSides(m, n, true) : undefined

describe('inclusion proofs (property)', () => {
  it('every generated proof verifies', () => {
    fc.assert(
      fc.property(tree(150), ({ leaves, getNode, root }) => {
        const size = leaves.length
        for (let index = 0; index < size; index++) {
          const proof = inclusionProof(index, size, getNode)
          expect(verifyInclusion(leaves[index] as Uint8Array, index, size, proof, root(size))).toBe(true)
        }
      }),
      { numRuns: 40 }
    )
  })

  it('every proof in every past tree size verifies against that size\'s root', () => {
    fc.assert(
      fc.property(tree(40), ({ leaves, getNode, root }) => {
        for (let size = 1; size <= leaves.length; size++) {
          for (let index = 0; index < size; index++) {
            expect(verifyInclusion(leaves[index] as Uint8Array, index, size, inclusionProof(index, size, getNode), root(size))).toBe(true)
          }
        }
      }),
      { numRuns: 20 }
    )
  })

  it('fails after a one-bit change in the leaf, any proof element, the root or the index', () => {
    fc.assert(
      fc.property(tree(100), fc.nat(), fc.nat(255), fc.nat(), fc.nat(6), ({ leaves, getNode, root: rootOf }, pick, bit, element, indexBit) => {
        const size = leaves.length
        const index = pick % size
        const leaf = leaves[index] as Uint8Array
        const root = rootOf(size)
        const proof = inclusionProof(index, size, getNode)
        expect(verifyInclusion(flipBit(leaf, bit), index, size, proof, root)).toBe(false)
        expect(verifyInclusion(leaf, index, size, proof, flipBit(root, bit))).toBe(false)
        if (proof.length > 0) {
          const e = element % proof.length
          const bad = proof.map((p, i) => i === e ? flipBit(p, bit) : p)
          expect(verifyInclusion(leaf, index, size, bad, root)).toBe(false)
        }
        expect(verifyInclusion(leaf, flipSizeBit(index, indexBit), size, proof, root)).toBe(false)
      }),
      { numRuns: 300 }
    )
  })

  it('fails after a one-bit change in the size, unless the leaf\'s path keeps its shape', () => {
    // RFC 9162 proofs do not hash the tree size: a size with the same path shape yields the
    // same root, which only a signed checkpoint (size, root) rules out. Every other size fails.
    fc.assert(
      fc.property(tree(100), fc.nat(), fc.nat(8), ({ leaves, getNode, root }, pick, bit) => {
        const size = leaves.length
        const index = pick % size
        const proof = inclusionProof(index, size, getNode)
        const other = flipSizeBit(size, bit)
        const sameShape = index < other && pathSides(index, other) === pathSides(index, size)
        expect(verifyInclusion(leaves[index] as Uint8Array, index, other, proof, root(size))).toBe(sameShape)
      }),
      { numRuns: 300 }
    )
  })
})

describe('consistency proofs (property)', () => {
  it('verify for all 1 ≤ size1 ≤ size2', () => {
    fc.assert(
      fc.property(tree(48), ({ leaves, getNode, root }) => {
        for (let size2 = 1; size2 <= leaves.length; size2++) {
          for (let size1 = 1; size1 <= size2; size1++) {
            const proof = consistencyProof(size1, size2, getNode)
            expect(verifyConsistency(size1, size2, proof, root(size1), root(size2))).toBe(true)
          }
        }
      }),
      { numRuns: 15 }
    )
  })

  it('fails after a one-bit change in either root or any proof element', () => {
    fc.assert(
      fc.property(tree(100), fc.nat(), fc.nat(), fc.nat(255), fc.nat(), ({ leaves, getNode, root }, a, b, bit, element) => {
        if (leaves.length < 2) return
        const size2 = 2 + (b % (leaves.length - 1))
        const size1 = 1 + (a % (size2 - 1)) // size1 < size2: a non-empty proof
        const proof = consistencyProof(size1, size2, getNode)
        const root1 = root(size1)
        const root2 = root(size2)
        expect(verifyConsistency(size1, size2, proof, flipBit(root1, bit), root2)).toBe(false)
        expect(verifyConsistency(size1, size2, proof, root1, flipBit(root2, bit))).toBe(false)
        const e = element % proof.length
        expect(verifyConsistency(size1, size2, proof.map((p, i) => i === e ? flipBit(p, bit) : p), root1, root2)).toBe(false)
      }),
      { numRuns: 300 }
    )
  })

  it('fails after a one-bit change in a size, unless the proof keeps its shape', () => {
    fc.assert(
      fc.property(tree(100), fc.nat(), fc.nat(), fc.nat(8), fc.boolean(), ({ leaves, getNode, root }, a, b, bit, first) => {
        const size2 = 1 + (b % leaves.length)
        const size1 = 1 + (a % size2)
        const proof = consistencyProof(size1, size2, getNode)
        const [s1, s2] = first ? [flipSizeBit(size1, bit), size2] : [size1, flipSizeBit(size2, bit)]
        const same = consistencyShape(s1, s2) !== undefined && consistencyShape(s1, s2) === consistencyShape(size1, size2)
        expect(verifyConsistency(s1, s2, proof, root(size1), root(size2))).toBe(same)
      }),
      { numRuns: 300 }
    )
  })
})

describe('frontier appends (property)', () => {
  it('give the same frontier, nodes and roots however the leaves are batched', () => {
    fc.assert(
      fc.property(tree(120), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 30 }), ({ leaves, getNode, root }, batchSizes) => {
        const all = appendLeaves(emptyFrontier(), leaves)
        let frontier = emptyFrontier()
        const nodes: string[] = []
        let at = 0
        for (let i = 0; at < leaves.length; i++) {
          const take = batchSizes[i % batchSizes.length] as number
          frontier = appendLeafHashes(frontier, leaves.slice(at, at + take), (level, index, hash) => {
            expect(Buffer.from(hash).equals(getNode(level, index))).toBe(true)
            nodes.push(`${level}:${index}`)
          })
          at += take
          expect(Buffer.from(frontierRoot(frontier)).equals(root(Math.min(at, leaves.length)))).toBe(true)
        }
        expect(nodes).toEqual(all.nodes.map(n => `${n.level}:${n.index}`))
        expect(frontier.hashes.map(h => Buffer.from(h).toString('hex'))).toEqual(all.frontier.hashes.map(h => Buffer.from(h).toString('hex')))
        // 2n − popcount(n) complete subtrees exist in a tree of n leaves.
        expect(nodes.length).toBe(2 * leaves.length - leaves.length.toString(2).split('1').length + 1)
        for (let size = 0; size <= leaves.length; size++) {
          expect(Buffer.from(rootAt(size, getNode)).equals(root(size))).toBe(true)
        }
      }),
      { numRuns: 40 }
    )
  })
})

describe('verifiers never throw (fuzz)', () => {
  const hashLike = fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }),
    fc.uint8Array({ minLength: 0, maxLength: 40 }),
    fc.anything()
  )
  const sizeLike = fc.oneof(
    fc.nat(70),
    fc.integer(),
    fc.double(),
    fc.constantFrom(-1, 2 ** 53, 2 ** 53 - 1, 2 ** 64, Number.NaN, Infinity, -0, 1.5),
    fc.bigInt(),
    fc.anything()
  )
  const proofLike = fc.oneof(fc.array(hashLike, { maxLength: 70 }), fc.anything())

  it('verifyInclusion returns a boolean for arbitrary inputs', () => {
    fc.assert(
      fc.property(hashLike, sizeLike, sizeLike, proofLike, hashLike, (leaf, index, size, proof, root) => {
        const result = verifyInclusion(leaf as Uint8Array, index as number, size as number, proof as Uint8Array[], root as Uint8Array)
        expect(typeof result).toBe('boolean')
      }),
      { numRuns: 3000 }
    )
  })

  it('verifyConsistency returns a boolean for arbitrary inputs', () => {
    fc.assert(
      fc.property(sizeLike, sizeLike, proofLike, hashLike, hashLike, (size1, size2, proof, root1, root2) => {
        const result = verifyConsistency(size1 as number, size2 as number, proof as Uint8Array[], root1 as Uint8Array, root2 as Uint8Array)
        expect(typeof result).toBe('boolean')
      }),
      { numRuns: 3000 }
    )
  })

  it('rejects oversized, sparse and non-array proofs without hashing them', () => {
    const h = new Uint8Array(32)
    expect(verifyInclusion(h, 0, 2, new Array(1_000_000).fill(h), h)).toBe(false)
    // eslint-disable-next-line no-sparse-arrays
    expect(verifyInclusion(h, 0, 4, [h, , h] as Uint8Array[], h)).toBe(false)
    expect(verifyInclusion(h, 0, 1, 'proof' as unknown as Uint8Array[], h)).toBe(false)
    expect(verifyConsistency(1, 2, { length: 1, 0: h } as unknown as Uint8Array[], h, h)).toBe(false)
    expect(verifyInclusion(h, 0n as unknown as number, 1, [], h)).toBe(false)
    expect(verifyInclusion(Buffer.alloc(32), 0, 1, [], Buffer.alloc(32))).toBe(true) // a Buffer is a Uint8Array
  })
})

describe('verifyInclusions: a batch of proofs against one tree', () => {
  /** One item of a batch: a genuine proof, or one altered in one of the ways a proof can be wrong. */
  const item = (leaves: Uint8Array[], getNode: NodeSource, size: number, index: number, how: number, bit: number): InclusionToVerify => {
    const proof = inclusionProof(index, size, getNode)
    const leafHash = leaves[index] as Uint8Array
    switch (how) {
      case 1:
        return { leafHash: flipBit(leafHash, bit), index, proof }
      case 2:
        return proof.length === 0 ? { leafHash, index, proof: [leafHash] } : { leafHash, index, proof: proof.map((p, i) => i === bit % proof.length ? flipBit(p, bit) : p) }
      case 3:
        return { leafHash, index, proof: [...proof, leafHash] }
      case 4:
        return { leafHash, index, proof: proof.slice(0, -1) }
      case 5:
        return { leafHash, index: (index + 1 + bit) % Math.max(size, 1), proof }
      default:
        return { leafHash, index, proof }
    }
  }

  it('gives each proof the answer verifyInclusion gives it alone, genuine or altered, in any order and with repeats', () => {
    fc.assert(
      fc.property(tree(300), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 8 }), fc.nat(255)), { minLength: 1, maxLength: 60 }), fc.nat(), (t, picks, sizePick) => {
        const size = 1 + sizePick % t.leaves.length
        const root = t.root(size)
        const items = picks.map(([i, how, bit]) => item(t.leaves, t.getNode, size, i % size, how > 5 ? 0 : how, bit))
        const alone = items.map((x) => verifyInclusion(x.leafHash, x.index, size, x.proof, root))
        expect(verifyInclusions(items, size, root)).toEqual(alone)
        // An altered proof first must not vouch for anything after it, nor a genuine one for an altered one.
        expect(verifyInclusions([...items].reverse(), size, root)).toEqual([...alone].reverse())
      }),
      { numRuns: 300 }
    )
  })

  it('a proof with extra or missing elements above a node another proof proved is refused, as alone', () => {
    const leaves = Array.from({ length: 1000 }, (_, i) => hashLeaf(Uint8Array.of(i & 0xff, i >> 8)))
    const levels = subtreeHashes(leaves)
    const getNode: NodeSource = (level, index) => levels[level]?.[index] as Uint8Array
    const root = rootFromLeafHashes(leaves)
    const good = { leafHash: leaves[10]!, index: 10, proof: inclusionProof(10, 1000, getNode) }
    const sibling = inclusionProof(11, 1000, getNode)
    const items: InclusionToVerify[] = [
      good,
      { leafHash: leaves[11]!, index: 11, proof: [...sibling, leaves[0]!] },
      { leafHash: leaves[11]!, index: 11, proof: sibling.slice(0, -1) },
      { leafHash: leaves[11]!, index: 11, proof: sibling },
      { leafHash: leaves[11]!, index: 11, proof: [sibling[0]!] }
    ]
    expect(verifyInclusions(items, 1000, root)).toEqual([true, false, false, true, false])
    expect(verifyInclusions(items, 1000, leaves[0]!)).toEqual([false, false, false, false, false])
    expect(verifyInclusions([{ leafHash: leaves[0]!, index: 0, proof: [] }], 1, leaves[0]!)).toEqual([true])
  })
})
