/** Error codes of the institution workbench: staff sign-in, roles and the browser imports. */
import { errorModule } from './define.ts'

const ABOUT = 'the institution workbench: its staff\'s sign-in, sessions and roles, and the imports it runs in the browser (services/workbench, edges/workbench)'

/** Each code of `WORKBENCH`, on one line: the kind it is thrown with, and what it means. */
export const WORKBENCH_ERRORS = errorModule('WORKBENCH', ABOUT, {
  WORKBENCH_SIGN_IN_REQUIRED: ['unauthenticated', 'the workbench page is for signed-in staff and the request has no live staff session'],
  WORKBENCH_NOT_STAFF: ['forbidden', 'the sign-in names nobody in the node\'s staff list (workbench.staff): ask the node\'s operator to add you'],
  WORKBENCH_ROLE_MISSING: ['forbidden', 'the signed-in staff member\'s roles do not allow this (a viewer cannot edit or import)'],
  WORKBENCH_NO_SUCH_STAFF: ['not-found', 'the development identity provider has no such development staff member'],
  WORKBENCH_UPLOAD_INVALID: ['invalid', 'the uploaded form has no file, a file of the wrong kind, or one that is too large; nothing was imported'],
  WORKBENCH_IMPORT_UNKNOWN: ['not-found', 'no import with this ID on this node (only the last 20 are kept, until a restart)'],
  WORKBENCH_NOT_STARTED: ['unavailable', 'the workbench has not started yet (its sign-in is set up when the node starts)'],
  WORKBENCH_IMPORT_RUNNING: ['conflict', 'an import of this kind is running; wait for its report before starting another']
})
