/** Error codes of the `lifelong` command's arguments. */
import { errorModule } from './define.ts'

const ABOUT = 'the `lifelong` command\'s arguments (cli)'

/** Each code of `CLI`, on one line: the kind it is thrown with, and what it means. */
export const CLI_ERRORS = errorModule('CLI', ABOUT, {
  CLI_INDEX_INVALID: ['invalid', 'not an entry index'],
  CLI_KEY_REQUIRED: ['invalid', 'give at least one --key or --operator-key'],
  CLI_SOURCE_REQUIRED: ['invalid', 'give exactly one of --data and --url']
})
