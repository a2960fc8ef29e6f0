/** Error codes of `lifelong import`: reading a file and sending it to a node. */
import { errorModule } from './define.ts'

const ABOUT = '`lifelong import`: reading a file and sending it to a node (cli/commands/import.ts, services/registry/results/import-file.ts)'

/** Each code of `IMPORT`, on one line: the kind it is thrown with, and what it means. */
export const IMPORT_ERRORS = errorModule('IMPORT', ABOUT, {
  IMPORT_CHUNK_REFUSED: [['invalid', 'unauthenticated', 'forbidden', 'unavailable'], 'the node refused a chunk of a results import, without a code'],
  IMPORT_COMMIT_REFUSED: [['invalid', 'unauthenticated', 'forbidden', 'unavailable'], 'the node refused to commit a results import, without a code'],
  IMPORT_FAILED: ['invalid', 'a catalogue import failed, and the node\'s job carried no code'],
  IMPORT_FILE_INVALID: ['invalid', 'the results file is not JSON of the import\'s shape'],
  IMPORT_FILE_UNREADABLE: ['invalid', 'the results file cannot be read'],
  IMPORT_FORMAT: ['invalid', 'the catalogue file is neither .csv nor .json (say --format)'],
  IMPORT_INTERRUPTED: ['unavailable', 'the node stopped answering during the import, or restarted; the registry committed the file whole or not at all'],
  IMPORT_NODE_UNREACHABLE: ['unavailable', 'the node cannot be reached'],
  IMPORT_NO_NODE: ['invalid', 'no node named: --node <url> or --config <file>'],
  IMPORT_NO_TOKEN: ['invalid', 'no service token with the needed scope: --token, $LIFELONG_TOKEN, or --dev-issuer in the local federation'],
  IMPORT_REFUSED: [['invalid', 'unauthenticated', 'forbidden', 'unavailable'], 'the node refused the import, and its answer carried no code'],
  IMPORT_UNREADABLE: ['invalid', 'the catalogue file cannot be read']
})
