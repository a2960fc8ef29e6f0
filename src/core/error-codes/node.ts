/** Error codes of a node's life: create, start, stop. */
import { errorModule } from './define.ts'

const ABOUT = 'a node\'s life: create, start, stop (node.ts)'

/** Each code of `NODE`, on one line: the kind it is thrown with, and what it means. */
export const NODE_ERRORS = errorModule('NODE', ABOUT, {
  NODE_CREATE_FAILED: ['internal', 'the node could not be created (see the cause)'],
  NODE_STOPPED: ['unavailable', 'the node has been stopped; create a new node to start again']
})
