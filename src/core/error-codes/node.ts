/** Error codes of a node's life: create, start, stop. */
import { errorModule } from './define.ts'

const ABOUT = 'a node\'s life: create, start, stop (node.ts)'

/** Each code of `NODE`, on one line: the kind it is thrown with, and what it means. */
export const NODE_ERRORS = errorModule('NODE', ABOUT, {
  NODE_CREATE_FAILED: ['internal', 'the node could not be created (see the cause)'],
  NODE_PARTS_MISSING: ['internal', 'a part every node has is missing from the role table'],
  NODE_PARTS_OUT_OF_ORDER: ['internal', 'a role table lists a part before a part it needs'],
  NODE_STOPPED: ['unavailable', 'the node has been stopped; create a new node to start again']
})
