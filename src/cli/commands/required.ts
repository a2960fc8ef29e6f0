/**
 * Required options, checked all at once: commander's own check stops at the first missing
 * option, so an operator would fix one, run again, and meet the next.
 */
import { LifelongError } from '../../core/errors.ts'

/** @throws LifelongError CLI_OPTIONS_MISSING naming every option whose value is undefined */
export function missingOptions (values: Record<string, unknown>): void {
  const missing = Object.entries(values).filter(([, v]) => v === undefined || (Array.isArray(v) && v.length === 0)).map(([k]) => k)
  if (missing.length > 0) throw new LifelongError('invalid', 'CLI_OPTIONS_MISSING', `missing option${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`)
}
