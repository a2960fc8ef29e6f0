/** Error codes of a node's life: create, start, stop. */
import { errorModule } from './define.ts'

export const NODE_ERRORS = errorModule('NODE', 'a node\'s life: create, start, stop (node.ts)', {
  NODE_CREATE_FAILED: ['internal', 'the node could not be created (see the cause)'],
  NODE_STOPPED: ['unavailable', 'the node has been stopped; create a new node to start again']
})
