/**
 * The linear span of published sums, to decide whether a hidden cell can be worked out from what
 * is published. Each published number (a cell, a row or column total, the grand total) is the sum
 * of some fine cells, a 0/1 row over them; a hidden cell can be recovered exactly when its own row
 * is a linear combination of the published ones. Gaussian elimination over the prime field
 * GF(2³¹ − 1), in doubles without loss (products are split so no intermediate exceeds 2⁵³). A
 * row in the rational span is always in this one; the converse can fail only when 2³¹ − 1 divides
 * a minor of the system, which errs on the side of hiding more (test/unit/core/statistics checks
 * the answers against exact rational arithmetic). Pure.
 */

const P = 2147483647

function mulmod (a: number, b: number): number {
  const hi = Math.floor(a / 65536)
  const lo = a % 65536
  return ((hi * b) % P * 65536 + lo * b) % P
}

function inverse (a: number): number {
  // Fermat: a^(P−2).
  let result = 1
  let base = a % P
  for (let e = P - 2; e > 0; e = Math.floor(e / 2)) {
    if (e % 2 === 1) result = mulmod(result, base)
    base = mulmod(base, base)
  }
  return result
}

/** The span of 0/1 rows over `n` fine cells. */
export class Span {
  private readonly n: number
  private readonly rows: Array<{ pivot: number, v: number[] }> = []

  constructor (n: number) {
    this.n = n
  }

  private reduce (indices: readonly number[]): number[] {
    const v = new Array<number>(this.n).fill(0)
    for (const i of indices) v[i] = ((v[i] as number) + 1) % P
    for (const row of this.rows) {
      const f = v[row.pivot] as number
      if (f === 0) continue
      for (let j = row.pivot; j < this.n; j++) {
        const r = row.v[j] as number
        if (r !== 0) v[j] = ((v[j] as number) - mulmod(f, r) + P) % P
      }
    }
    return v
  }

  /** Adds the published sum of the fine cells `indices`. */
  add (indices: readonly number[]): void {
    const v = this.reduce(indices)
    const pivot = v.findIndex((x) => x !== 0)
    if (pivot < 0) return
    const inv = inverse(v[pivot] as number)
    for (let j = pivot; j < this.n; j++) if (v[j] !== 0) v[j] = mulmod(v[j] as number, inv)
    this.rows.push({ pivot, v })
  }

  /** Whether the sum of the fine cells `indices` follows from what was added. */
  contains (indices: readonly number[]): boolean {
    return this.reduce(indices).every((x) => x === 0)
  }
}
