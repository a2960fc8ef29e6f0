/** Error codes of the `lifelong` command's arguments. */
import { errorModule } from './define.ts'

const ABOUT = 'the `lifelong` command\'s arguments (cli)'

/** Each code of `CLI`, on one line: the kind it is thrown with, and what it means. */
export const CLI_ERRORS = errorModule('CLI', ABOUT, {
  CLI_INDEX_INVALID: ['invalid', 'not an entry index'],
  CLI_KEY_REQUIRED: ['invalid', 'give at least one --key or --operator-key (token trust: --public-key or --key)'],
  CLI_OPTIONS_MISSING: ['invalid', 'required options are missing; the message names every one'],
  CLI_ROLE_INVALID: ['invalid', 'a role that does not exist; the message lists the roles'],
  CLI_SCOPE_UNKNOWN: ['invalid', 'a scope no route asks for; the message lists the scopes'],
  CLI_SOURCE_REQUIRED: ['invalid', 'give exactly one of --data and --node'],
  CLI_TOKEN_ISSUER_NOT_TRUSTED: ['invalid', 'the node\'s config trusts no service tokens signed by this key (lifelong token trust)'],
  CLI_TTL_INVALID: ['invalid', 'a token lifetime outside 60 s to 30 days'],
  CLI_MEMBER_ENTRY_INVALID: ['invalid', 'a member entry file is not the JSON lifelong init wrote'],
  CLI_RETIRED_CERTIFICATE_INVALID: ['invalid', 'an --retired value of lifelong emrex verify is not <certificate file>@<ISO 8601 time>'],
  CLI_CATEGORY_INVALID: ['invalid', 'an institution category that does not exist; the message lists them'],
  CLI_CHECK_FAILED: ['invalid', 'lifelong check found something missing; every finding is printed with its next step']
})
