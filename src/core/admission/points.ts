/**
 * Point arithmetic in hundredths (exact sums, caps and comparisons) and the grade mean kept at two
 * decimals. Pure.
 */

/** Hundredths of a point as a number of points (4530 → 45.3). */
export function points (hundredths: number): number {
  return hundredths / 100
}

/**
 * The mean of integer grades at two decimals, in hundredths (4.53 → 453), rounded half-up or
 * truncated. Exact: integer arithmetic on the sum and the count.
 */
export function meanHundredths (sum: number, count: number, rounding: 'half-up' | 'truncate'): number {
  if (count <= 0) return 0
  const scaled = sum * 100
  return rounding === 'truncate' ? Math.floor(scaled / count) : Math.floor((2 * scaled + count) / (2 * count))
}

/** Karakterpoeng in hundredths: the two-decimal mean × 10 (mean 4.53 → 45.30 → 4530). */
export function karakterpoengHundredths (sum: number, count: number, rounding: 'half-up' | 'truncate'): number {
  return meanHundredths(sum, count, rounding) * 10
}
