import { describe, it, expect } from 'vitest'
import {
  appendLeafHashes,
  appendLeaves,
  bitLength,
  consistencyProof,
  consistencyProofAsync,
  consistencyProofFromLeafHashes,
  consistencyProofPlan,
  emptyFrontier,
  emptyRoot,
  frontierNodes,
  frontierRoot,
  hashChildren,
  hashLeaf,
  inclusionProof,
  inclusionProofAsync,
  inclusionProofFromLeafHashes,
  inclusionProofPlan,
  proofFromPlan,
  rootAt,
  rootAtAsync,
  rootFromInclusionProof,
  rootFromLeafHashes,
  subtreeHashes,
  verifyConsistency,
  verifyInclusion,
  type Frontier,
  type ProofPlan,
  type SubtreeId
} from '../../../../src/core/log/merkle.ts'
import { isLifelongError } from '../../../../src/core/errors.ts'
import { fromBase64, fromHex, readJson, readJsonTree, toHex, type ConsistencyProbe, type InclusionProbe, type ReferenceTree } from './fixtures.ts'

const ref = readJson<ReferenceTree>('transparency-dev-merkle/reference-tree.json')
const leafHashes = ref.leafInputs.map(hex => hashLeaf(fromHex(hex)))
const hex = (list: Uint8Array[]): string[] => list.map(toHex)

describe('hashing (RFC 9162 §2.1.1) against transparency-dev/merkle testonly/constants.go', () => {
  it('hashes the reference leaves', () => {
    expect(hex(leafHashes)).toEqual(ref.nodeHashes[0])
  })

  it('gives every complete subtree hash', () => {
    expect(subtreeHashes(leafHashes).map(hex)).toEqual(ref.nodeHashes)
  })

  it('gives the root of every prefix, the empty root for size 0', () => {
    expect(toHex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')
    for (let size = 0; size <= 8; size++) {
      expect(toHex(rootFromLeafHashes(leafHashes.slice(0, size)))).toBe(ref.rootHashes[size])
    }
  })

  it('domain-separates leaves from nodes', () => {
    const a = fromHex('00'.repeat(32))
    expect(toHex(hashChildren(a, a))).not.toBe(toHex(hashLeaf(new Uint8Array(64))))
    expect(hashLeaf(new Uint8Array(0))).toBeInstanceOf(Uint8Array)
    expect(Buffer.isBuffer(hashLeaf(new Uint8Array(0)))).toBe(false)
  })

  it('returns the same hash whatever the input buffer offset', () => {
    const backing = new Uint8Array(100).fill(7)
    expect(toHex(hashLeaf(backing.subarray(10, 20)))).toBe(toHex(hashLeaf(new Uint8Array(10).fill(7))))
  })
})

describe('frontier (compact range) against CompactTrees of constants.go', () => {
  it('matches the compact tree of every size, and its root', () => {
    let frontier: Frontier = emptyFrontier()
    for (let size = 0; size <= 8; size++) {
      const want = (ref.compactTrees[size] ?? []).map(([level, index]) => ref.nodeHashes[level]?.[index])
      expect(frontier.size).toBe(size)
      expect(hex([...frontier.hashes])).toEqual(want)
      expect(frontierNodes(size).map(n => [n.level, n.index])).toEqual(ref.compactTrees[size])
      expect(toHex(frontierRoot(frontier))).toBe(ref.rootHashes[size])
      if (size < 8) frontier = appendLeafHashes(frontier, [leafHashes[size] as Uint8Array])
    }
  })

  it('reports every complete subtree exactly once, bottom-up', () => {
    const { frontier, nodes } = appendLeaves(emptyFrontier(), leafHashes)
    expect(frontier.size).toBe(8)
    expect(nodes.map(n => `${n.level}:${n.index}`)).toEqual([
      '0:0',
      '0:1',
      '1:0',
      '0:2',
      '0:3',
      '1:1',
      '2:0',
      '0:4',
      '0:5',
      '1:2',
      '0:6',
      '0:7',
      '1:3',
      '2:1',
      '3:0'
    ])
    for (const n of nodes) expect(toHex(n.hash)).toBe(ref.nodeHashes[n.level]?.[n.index])
  })

  it('does not modify the frontier it is given', () => {
    const first = appendLeafHashes(emptyFrontier(), leafHashes.slice(0, 3))
    const before = hex([...first.hashes])
    appendLeafHashes(first, leafHashes.slice(3))
    expect(hex([...first.hashes])).toEqual(before)
  })

  it('rejects malformed frontiers and leaf hashes with typed errors', () => {
    expect(() => appendLeafHashes({ size: 3, hashes: [] }, [])).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_FRONTIER_INVALID' }))
    expect(() => appendLeafHashes({ size: -1, hashes: [] }, [])).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_SIZE_INVALID' }))
    expect(() => appendLeafHashes(emptyFrontier(), [new Uint8Array(31)])).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_LEAF_HASH_INVALID' }))
    expect(() => frontierRoot({ size: 1, hashes: [new Uint8Array(1)] })).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_FRONTIER_INVALID' }))
  })
})

/**
 * transparency-dev/merkle proof/proof_test.go (TestInclusion, TestConsistency) lists node IDs
 * with a range [begin, end) that is rehashed into one node, lower levels first. Our plans list
 * each proof element's subtrees left to right, so that range appears reversed as one group.
 */
function goNodes (ids: Array<[number, number]>, begin = 0, end = 0): ProofPlan {
  const id = ([level, index]: [number, number]): SubtreeId => ({ level, index })
  if (begin === end) return ids.map(n => [id(n)])
  return [
    ...ids.slice(0, begin).map(n => [id(n)]),
    ids.slice(begin, end).reverse().map(id),
    ...ids.slice(end).map(n => [id(n)])
  ]
}

/** PATH(m, D[n]) of RFC 9162 §2.1.3.1 written as the RFC writes it, recursively: the reference for the iterative planner. */
function recursivePath (m: number, lo: number, hi: number, plan: SubtreeId[][]): void {
  const n = hi - lo
  if (n === 1) return
  let k = 1
  while (2 * k < n) k *= 2
  const range = (a: number, b: number): SubtreeId[] => {
    const out: SubtreeId[] = []
    while (a < b) {
      let w = 1
      while (2 * w <= b - a && a % (2 * w) === 0) w *= 2
      out.push({ level: Math.log2(w), index: a / w })
      a += w
    }
    return out
  }
  if (m < k) {
    recursivePath(m, lo, lo + k, plan)
    plan.push(range(lo + k, hi))
  } else {
    recursivePath(m - k, lo + k, hi, plan)
    plan.push(range(lo, lo + k))
  }
}

/** Whether two plans list the same subtrees, group by group (each a `{ level, index }` and nothing else). */
function samePlan (a: ProofPlan, b: ProofPlan): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!
    const y = b[i]!
    if (x.length !== y.length) return false
    for (let j = 0; j < x.length; j++) {
      const p = x[j]!
      const q = y[j]!
      if (Object.keys(p).length !== 2 || Object.keys(q).length !== 2 || !Object.is(p.level, q.level) || !Object.is(p.index, q.index)) return false
    }
  }
  return true
}

describe('the iterative inclusion planner', () => {
  it('gives the plan of the recursive definition for every index of every size up to 600, and near 2^53', () => {
    // 180,300 plans: compared field by field first (an expect per plan costs many times the
    // plan), and by expect where they differ, which fails and shows the first plan that differs.
    for (let size = 1; size <= 600; size++) {
      for (let index = 0; index < size; index++) {
        const want: SubtreeId[][] = []
        recursivePath(index, 0, size, want)
        const got = inclusionProofPlan(index, size)
        if (!samePlan(got, want)) expect(got, `${index} of ${size}`).toEqual(want)
      }
    }
    for (const size of [2 ** 53 - 1, 2 ** 52 + 12345, 10_000_000]) {
      for (const index of [0, 1, size - 1, size - 2, Math.floor(size / 3)]) {
        const want: SubtreeId[][] = []
        recursivePath(index, 0, size, want)
        expect(inclusionProofPlan(index, size), `${index} of ${size}`).toEqual(want)
      }
    }
  })
})

describe('proof plans against transparency-dev/merkle proof/proof_test.go', () => {
  const inclusion: Array<[number, number, ProofPlan]> = [
    [1, 0, []],
    [2, 0, goNodes([[0, 1]])],
    [2, 1, goNodes([[0, 0]])],
    [3, 1, goNodes([[0, 0], [0, 2]], 1, 2)],
    [7, 0, goNodes([[0, 1], [1, 1], [0, 6], [1, 2]], 2, 4)],
    [7, 1, goNodes([[0, 0], [1, 1], [0, 6], [1, 2]], 2, 4)],
    [7, 2, goNodes([[0, 3], [1, 0], [0, 6], [1, 2]], 2, 4)],
    [7, 3, goNodes([[0, 2], [1, 0], [0, 6], [1, 2]], 2, 4)],
    [7, 4, goNodes([[0, 5], [0, 6], [2, 0]], 1, 2)],
    [7, 5, goNodes([[0, 4], [0, 6], [2, 0]], 1, 2)],
    [7, 6, goNodes([[1, 2], [2, 0]])],
    [4, 2, goNodes([[0, 3], [1, 0]])],
    [5, 3, goNodes([[0, 2], [1, 0], [0, 4]], 2, 3)],
    [6, 3, goNodes([[0, 2], [1, 0], [1, 2]], 2, 3)],
    [6, 4, goNodes([[0, 5], [2, 0]])],
    [15, 10, goNodes([[0, 11], [1, 4], [0, 14], [1, 6], [3, 0]], 2, 4)],
    [31, 24, goNodes([[0, 25], [1, 13], [0, 30], [1, 14], [3, 2], [4, 0]], 2, 4)],
    [95, 81, goNodes([[0, 80], [1, 41], [2, 21], [0, 94], [1, 46], [2, 22], [4, 4], [6, 0]], 3, 6)]
  ]
  it.each(inclusion)('inclusion in size %i of leaf %i', (size, index, want) => {
    expect(inclusionProofPlan(index, size)).toEqual(want)
  })

  const consistency: Array<[number, number, ProofPlan]> = [
    [1, 2, goNodes([[0, 1]])],
    [1, 4, goNodes([[0, 1], [1, 1]])],
    [1, 6, goNodes([[0, 1], [1, 1], [1, 2]], 2, 3)],
    [2, 3, goNodes([[0, 2]], 0, 1)],
    [2, 8, goNodes([[1, 1], [2, 1]])],
    [3, 7, goNodes([[0, 2], [0, 3], [1, 0], [0, 6], [1, 2]], 3, 5)],
    [4, 7, goNodes([[0, 6], [1, 2]], 0, 2)],
    [5, 7, goNodes([[0, 4], [0, 5], [0, 6], [2, 0]], 2, 3)],
    [6, 7, goNodes([[1, 2], [0, 6], [2, 0]], 1, 2)],
    [7, 8, goNodes([[0, 6], [0, 7], [1, 2], [2, 0]])],
    [1, 1, []],
    [2, 2, []],
    [3, 3, []],
    [4, 4, []],
    [5, 5, []],
    [7, 7, []],
    [8, 8, []],
    [2, 4, goNodes([[1, 1]])],
    [3, 5, goNodes([[0, 2], [0, 3], [1, 0], [0, 4]], 3, 4)],
    [3, 6, goNodes([[0, 2], [0, 3], [1, 0], [1, 2]], 3, 4)],
    [4, 6, goNodes([[1, 2]], 0, 1)],
    [1, 7, goNodes([[0, 1], [1, 1], [0, 6], [1, 2]], 2, 4)],
    [10, 15, goNodes([[1, 4], [1, 5], [0, 14], [1, 6], [3, 0]], 2, 4)],
    [24, 31, goNodes([[3, 2], [0, 30], [1, 14], [2, 6], [4, 0]], 1, 4)],
    [81, 95, goNodes([[0, 80], [0, 81], [1, 41], [2, 21], [0, 94], [1, 46], [2, 22], [4, 4], [6, 0]], 4, 7)]
  ]
  it.each(consistency)('consistency from %i to %i', (size1, size2, want) => {
    expect(consistencyProofPlan(size1, size2)).toEqual(want)
  })

  it('rejects impossible requests with typed errors (the error cases of the same tests)', () => {
    for (const [index, size] of [[0, 0], [1, 0], [2, 1], [3, 0], [8, 7]] as const) {
      expect(() => inclusionProofPlan(index, size)).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_INDEX_OUT_OF_RANGE', kind: 'invalid' }))
    }
    for (const [size1, size2] of [[5, 0], [9, 8], [0, 5], [0, 0]] as const) {
      expect(() => consistencyProofPlan(size1, size2)).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_CONSISTENCY_RANGE_INVALID' }))
    }
    for (const bad of [-1, 0.5, Number.NaN, 2 ** 53, Infinity]) {
      expect(() => inclusionProofPlan(0, bad)).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_SIZE_INVALID' }))
      expect(() => frontierNodes(bad)).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_SIZE_INVALID' }))
    }
  })

  it('plans proofs of trees near 2^53 without 32-bit truncation', () => {
    const size = Number.MAX_SAFE_INTEGER
    const plan = inclusionProofPlan(0, size)
    expect(plan).toHaveLength(53)
    // The last leaf has no sibling at level 0: one element per other set bit of the size.
    expect(inclusionProofPlan(size - 1, size)).toHaveLength(52)
    expect(plan.flat().every(n => Number.isSafeInteger(n.index) && n.level <= 52)).toBe(true)
    expect(consistencyProofPlan(2 ** 52, size).length).toBeLessThanOrEqual(54)
    expect(frontierNodes(size)).toHaveLength(53)
    expect(bitLength(2 ** 52)).toBe(53)
    expect(bitLength(Number.MAX_SAFE_INTEGER)).toBe(53)
    expect(bitLength(2 ** 32)).toBe(33)
    expect(bitLength(2 ** 32 - 1)).toBe(32)
  })
})

describe('proof generation from a node source', () => {
  const levels = subtreeHashes(leafHashes)
  const getNode = (level: number, index: number): Uint8Array => levels[level]?.[index] as Uint8Array
  const reads: string[] = []
  const countingSource = (level: number, index: number): Uint8Array => {
    reads.push(`${level}:${index}`)
    return getNode(level, index)
  }

  it('gives proofs that verify against the reference roots, for every index and size', () => {
    for (let size = 1; size <= 8; size++) {
      const root = fromHex(ref.rootHashes[size] as string)
      for (let index = 0; index < size; index++) {
        const proof = inclusionProof(index, size, getNode)
        expect(verifyInclusion(leafHashes[index] as Uint8Array, index, size, proof, root)).toBe(true)
        expect(hex(proof)).toEqual(hex(inclusionProofFromLeafHashes(leafHashes, index, size)))
      }
      for (let size1 = 1; size1 <= size; size1++) {
        const proof = consistencyProof(size1, size, getNode)
        expect(verifyConsistency(size1, size, proof, fromHex(ref.rootHashes[size1] as string), root)).toBe(true)
      }
    }
  })

  it('reads O(log n) nodes', () => {
    reads.length = 0
    inclusionProof(5, 7, countingSource)
    expect(reads.sort()).toEqual(['0:4', '0:6', '2:0'])
    reads.length = 0
    rootAt(7, countingSource)
    expect(reads).toEqual(['2:0', '1:2', '0:6'])
  })

  it('has async variants with the same results', async () => {
    const slow = async (level: number, index: number): Promise<Uint8Array> =>
      await new Promise(resolve =>
        setTimeout(() => {
          resolve(getNode(level, index))
        }, 1)
      )
    expect(hex(await inclusionProofAsync(2, 7, slow))).toEqual(hex(inclusionProof(2, 7, getNode)))
    expect(hex(await consistencyProofAsync(3, 7, slow))).toEqual(hex(consistencyProof(3, 7, getNode)))
    for (let size = 0; size <= 8; size++) {
      expect(toHex(await rootAtAsync(size, slow))).toBe(ref.rootHashes[size])
      expect(toHex(rootAt(size, getNode))).toBe(ref.rootHashes[size])
    }
  })

  it('lets a store batch its reads: proofFromPlan over plan.flat()', () => {
    const plan = consistencyProofPlan(3, 7)
    const batch = new Map(plan.flat().map(n => [`${n.level}:${n.index}`, getNode(n.level, n.index)]))
    const proof = proofFromPlan(plan, (level, index) => batch.get(`${level}:${index}`) as Uint8Array)
    expect(hex(proof)).toEqual(hex(consistencyProofFromLeafHashes(leafHashes, 3, 7)))
  })

  it('fails loudly when the source returns something that is not a hash', async () => {
    expect(() => inclusionProof(0, 8, () => new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_NODE_INVALID', kind: 'internal' }))
    await expect(inclusionProofAsync(0, 8, async () => undefined as unknown as Uint8Array)).rejects.toSatisfy(err => isLifelongError(err, 'LOG_MERKLE_NODE_INVALID'))
    expect(() => inclusionProofFromLeafHashes(leafHashes, 0, 9)).toThrow(expect.objectContaining({ code: 'LOG_MERKLE_SIZE_INVALID' }))
  })
})

describe('verification against transparency-dev/merkle testdata probes', () => {
  const b64 = (list: string[] | null): Uint8Array[] => (list ?? []).map(fromBase64)

  it.each(readJsonTree<InclusionProbe>('transparency-dev-merkle/inclusion'))('inclusion %s', (_path, p) => {
    expect(verifyInclusion(fromBase64(p.leafHash), p.leafIdx, p.treeSize, b64(p.proof), fromBase64(p.root))).toBe(!p.wantErr)
  })

  // This one probe passes 12-byte "roots" with equal sizes; transparency-dev/merkle accepts any
  // equal byte strings there, we accept only 32-byte hashes (see test/fixtures/log/README.md).
  const shortRoots = 'additional/sizes-are-equal-one-and-proof-is-empty.json'

  it.each(readJsonTree<ConsistencyProbe>('transparency-dev-merkle/consistency'))('consistency %s', (path, p) => {
    const result = verifyConsistency(p.size1, p.size2, b64(p.proof), fromBase64(p.root1), fromBase64(p.root2))
    expect(result).toBe(path === shortRoots ? false : !p.wantErr)
  })

  it('accepts equal sizes with an empty proof and equal 32-byte roots', () => {
    const root = leafHashes[0] as Uint8Array
    expect(verifyConsistency(1, 1, [], root, root)).toBe(true)
    expect(verifyConsistency(1, 1, [root], root, root)).toBe(false)
    expect(verifyConsistency(0, 0, [], emptyRoot(), emptyRoot())).toBe(false)
  })

  it('computes the root an inclusion proof leads to', () => {
    const proof = inclusionProofFromLeafHashes(leafHashes, 3, 7)
    expect(toHex(rootFromInclusionProof(leafHashes[3] as Uint8Array, 3, 7, proof) as Uint8Array)).toBe(ref.rootHashes[7])
    expect(rootFromInclusionProof(leafHashes[3] as Uint8Array, 3, 7, proof.slice(1))).toBeUndefined()
  })
})
