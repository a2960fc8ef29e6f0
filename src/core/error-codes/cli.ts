/** Error codes of the `lifelong` command's arguments. */
import { errorModule } from './define.ts'

export const CLI_ERRORS = errorModule('CLI', 'the `lifelong` command\'s arguments (cli)', {
  CLI_INDEX_INVALID: ['invalid', 'not an entry index'],
  CLI_KEY_REQUIRED: ['invalid', 'give at least one --key or --operator-key'],
  CLI_SOURCE_REQUIRED: ['invalid', 'give exactly one of --data and --url']
})
