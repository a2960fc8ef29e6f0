/** Error codes of the node config: reading, checking, `lifelong init`. */
import { errorModule } from './define.ts'

const ABOUT = 'the node config: reading, checking, `lifelong init` (core/config)'

/** Each code of `CONFIG`, on one line: the kind it is thrown with, and what it means. */
export const CONFIG_ERRORS = errorModule('CONFIG', ABOUT, {
  CONFIG_EXISTS: ['conflict', 'the config file already exists (`lifelong init` does not overwrite it)'],
  CONFIG_INVALID: ['invalid', 'the config breaks the schema or a role rule: see fields'],
  CONFIG_UNREADABLE: ['invalid', 'the config file cannot be read']
})
