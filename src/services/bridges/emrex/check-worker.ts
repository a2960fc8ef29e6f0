/**
 * The worker thread of ELMO checks (started by the pool in `src/core/xml/pool.ts`): runs
 * `checkElmo` for each document it is given and moves the stored copy back instead of copying it.
 */
import { serveTasks, Transferred } from '../../../core/xml/pool.ts'
import { checkElmo, type CheckedElmo, type ElmoCheckRequest } from './check.ts'

serveTasks<ElmoCheckRequest, CheckedElmo>((request) => {
  const checked = checkElmo(request)
  return new Transferred(checked, [checked.document.buffer as ArrayBuffer])
})
