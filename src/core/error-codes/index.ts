/**
 * Every error code of the project, module by module (docs/ERRORS.md is generated from this:
 * `node scripts/error-codes.ts --write`). To declare a code, add one line to its module's file
 * here; to add a module, add its file and one entry below.
 */
import type { CodesOf, ErrorModule } from './define.ts'
import { INTERNAL_ERRORS } from './general.ts'
import { CONFIG_ERRORS } from './config.ts'
import { KEY_ERRORS } from './key.ts'
import { ENVELOPE_ERRORS } from './envelope.ts'
import { IDENTIFIERS_ERRORS } from './identifiers.ts'
import { LOG_ERRORS } from './log.ts'
import { MANIFEST_ERRORS } from './manifest.ts'
import { TRUST_ERRORS } from './trust.ts'
import { XML_ERRORS } from './xml.ts'
import { STORAGE_ERRORS } from './storage.ts'
import { BACKUP_ERRORS } from './backup.ts'
import { REPLICATION_ERRORS } from './replication.ts'
import { P2P_ERRORS } from './p2p.ts'
import { RPC_ERRORS } from './rpc.ts'
import { EDUCATION_ERRORS } from './education.ts'
import { CATALOGUE_ERRORS } from './catalogue.ts'
import { LEARNERS_ERRORS } from './learners.ts'
import { RESULTS_ERRORS } from './results.ts'
import { PORTAL_ERRORS } from './portal.ts'
import { AUTH_ERRORS } from './auth.ts'
import { SHARE_ERRORS } from './share.ts'
import { ELM_ERRORS } from './elm.ts'
import { ELMO_ERRORS } from './elmo.ts'
import { EMREX_ERRORS } from './emrex.ts'
import { EUDI_ERRORS } from './eudi.ts'
import { OOTS_ERRORS } from './oots.ts'
import { VERIFY_ERRORS } from './verify.ts'
import { FETCH_ERRORS } from './fetch.ts'
import { IMPORT_ERRORS } from './import.ts'
import { HARVEST_ERRORS } from './harvest.ts'
import { HTTP_ERRORS } from './http.ts'
import { NODE_ERRORS } from './node.ts'
import { CLI_ERRORS } from './cli.ts'
import { DEMO_ERRORS } from './demo.ts'
import { ADMISSION_ERRORS } from './admission.ts'
import { FINANCE_ERRORS } from './finance.ts'
import { STATISTICS_ERRORS } from './statistics.ts'
import { WORKBENCH_ERRORS } from './workbench.ts'

export type { CodeDeclaration, ErrorKind, ErrorModule } from './define.ts'

/** Every module, bottom layer first (the order of docs/ERRORS.md). */
export const ERROR_MODULES = [
  INTERNAL_ERRORS,
  CONFIG_ERRORS,
  KEY_ERRORS,
  ENVELOPE_ERRORS,
  IDENTIFIERS_ERRORS,
  LOG_ERRORS,
  MANIFEST_ERRORS,
  TRUST_ERRORS,
  XML_ERRORS,
  STORAGE_ERRORS,
  BACKUP_ERRORS,
  REPLICATION_ERRORS,
  P2P_ERRORS,
  RPC_ERRORS,
  EDUCATION_ERRORS,
  CATALOGUE_ERRORS,
  LEARNERS_ERRORS,
  RESULTS_ERRORS,
  HARVEST_ERRORS,
  PORTAL_ERRORS,
  ADMISSION_ERRORS,
  FINANCE_ERRORS,
  STATISTICS_ERRORS,
  AUTH_ERRORS,
  WORKBENCH_ERRORS,
  SHARE_ERRORS,
  ELM_ERRORS,
  ELMO_ERRORS,
  EMREX_ERRORS,
  EUDI_ERRORS,
  OOTS_ERRORS,
  VERIFY_ERRORS,
  FETCH_ERRORS,
  IMPORT_ERRORS,
  HTTP_ERRORS,
  NODE_ERRORS,
  CLI_ERRORS,
  DEMO_ERRORS
] as const satisfies readonly ErrorModule[]

/** Every error code a {@link LifelongError} may carry: a typo or an undeclared code fails tsc. */
export type ErrorCode = CodesOf<typeof ERROR_MODULES[number]>
