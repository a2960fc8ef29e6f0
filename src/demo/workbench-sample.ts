/**
 * The local federation's institution workbench: UiO's node runs it with the development identity
 * provider and three made-up staff members, one per role, so that `npm start` shows the workbench
 * as each role sees it (docs/WORKBENCH.md).
 */
import type { StaffMemberConfig } from '../core/config/workbench.ts'

/** Which institution has the workbench, and its development staff. */
export const DEMO_WORKBENCH: { institution: string, staff: readonly StaffMemberConfig[] } = {
  institution: 'uio',
  staff: [
    { id: 'kari.katalog', name: 'Kari Katalog', subject: 'dev-staff-kari', roles: ['catalogue-editor'] },
    { id: 'ola.resultat', name: 'Ola Resultat', subject: 'dev-staff-ola', roles: ['results-importer'] },
    { id: 'vera.leser', name: 'Vera Leser', subject: 'dev-staff-vera', roles: ['viewer'] }
  ]
}

/** The `workbench` config section of that institution. */
export function demoWorkbenchConfig (): Record<string, unknown> {
  return { workbench: { devSignIn: true, staff: DEMO_WORKBENCH.staff } }
}
