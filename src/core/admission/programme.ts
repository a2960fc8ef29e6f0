/**
 * A programme's kjønnspoeng as the education registry stores it with the offering
 * (`links.genderPoints`): `<female|male>:<1|2>`, with `:first-time` when the points count in the
 * first-time-diploma quota only (e.g. `female:2`, `male:1:first-time`). Pure.
 */
import type { GenderPoints } from './model.ts'

const FORM = /^(female|male):([12])(:first-time)?$/

/** The kjønnspoeng a stored code stands for, or undefined when it is not one. */
export function parseGenderPoints (code: string): GenderPoints | undefined {
  const m = FORM.exec(code)
  if (m === null) return undefined
  return { gender: m[1] as GenderPoints['gender'], points: Number(m[2]), quota: m[3] === undefined ? 'both' : 'first-time' }
}
