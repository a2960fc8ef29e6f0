/**
 * The institution's staff as the workbench knows them: the node config's list (`workbench.staff`)
 * of who may sign in, matched by the subject their sign-in service vouches for, and what each
 * role lets them do. Least privilege: a viewer sees the catalogue, the imports' reports, the
 * outbox and the checkpoints; a catalogue editor also edits offerings and imports catalogues; a
 * results importer also imports results. Nobody is staff by default, and roles are read from
 * the config at every request, so a member removed from it (and the node restarted) is out at once.
 */
import type { StaffMemberConfig, StaffPermission, StaffRole } from '../../core/config/workbench.ts'

/** What each role grants. */
export const ROLE_PERMISSIONS: Readonly<Record<StaffRole, readonly StaffPermission[]>> = {
  viewer: ['workbench.view'],
  'catalogue-editor': ['workbench.view', 'catalogue.edit', 'catalogue.import'],
  'results-importer': ['workbench.view', 'results.import']
}

/** The permissions of a set of roles (each once). */
export function permissionsOf (roles: readonly StaffRole[]): StaffPermission[] {
  return [...new Set(roles.flatMap((r) => ROLE_PERMISSIONS[r] ?? []))]
}

/** A staff member as a session names them. */
export interface StaffMember {
  readonly id: string
  readonly name: string
  readonly roles: readonly StaffRole[]
  readonly permissions: readonly StaffPermission[]
}

/** The staff list of the node's config. */
export class StaffDirectory {
  private readonly bySubject = new Map<string, StaffMemberConfig>()
  private readonly byId = new Map<string, StaffMemberConfig>()
  readonly members: readonly StaffMemberConfig[]

  constructor (staff: readonly StaffMemberConfig[]) {
    this.members = staff
    for (const s of staff) {
      this.bySubject.set(s.subject, s)
      this.byId.set(s.id, s)
    }
  }

  private view (s: StaffMemberConfig | undefined): StaffMember | undefined {
    return s === undefined ? undefined : { id: s.id, name: s.name, roles: s.roles, permissions: permissionsOf(s.roles) }
  }

  /** The member a sign-in's subject is, if any. */
  bySignIn (subject: string): StaffMember | undefined {
    return this.view(this.bySubject.get(subject))
  }

  /** The member with a handle, if they are still in the config. */
  byHandle (id: string): StaffMember | undefined {
    return this.view(this.byId.get(id))
  }
}
