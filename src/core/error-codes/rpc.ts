/** Error codes of the signed request/response framework between members. */
import { errorModule } from './define.ts'

const ABOUT = 'the signed request/response framework between members (net/rpc; PROTOCOL.md)'

/** Each code of `RPC`, on one line: the kind it is thrown with, and what it means. */
export const RPC_ERRORS = errorModule('RPC', ABOUT, {
  RPC_BAD_SIGNATURE: ['unauthenticated', 'the request\'s Ed25519 signature does not verify'],
  RPC_BODY_MALFORMED: ['invalid', 'the request body does not decode as the method\'s request message'],
  RPC_BUSY: ['rate-limited', 'the caller has too many exchanges in flight with this callee'],
  RPC_CLIENT_STOPPED: ['unavailable', 'this node is stopping: its calls are cancelled, and retrying them is pointless'],
  RPC_CLOCK_SKEW: ['invalid', 'the request\'s issued-at time is outside the allowed clock skew'],
  RPC_CONFLICT: ['conflict', 'the callee answered CONFLICT without a code of its own'],
  RPC_DEADLINE_EXCEEDED: ['timeout', 'the callee\'s handler did not finish before the deadline'],
  RPC_DUPLICATE_HANDLER: ['internal', 'a handler for this payload type is already registered'],
  RPC_FORBIDDEN: ['forbidden', 'the callee answered FORBIDDEN without a code of its own'],
  RPC_GONE: ['gone', 'the callee answered GONE without a code of its own'],
  RPC_INTERNAL: ['internal', 'the callee answered INTERNAL (or a status this node does not know) without a code of its own'],
  RPC_INVALID_ARGUMENT: ['invalid', 'the callee answered INVALID_ARGUMENT without a code of its own'],
  RPC_METHOD_NOT_GRANTED: ['forbidden', 'a consumer role (admission, finance) asked for a method its rights do not list'],
  RPC_MALFORMED: ['invalid', 'the request bytes are not a signed envelope carrying a request'],
  RPC_MANIFEST_EXPIRED: ['unavailable', 'the manifest in force (the caller\'s or the callee\'s) has expired: nothing is served until a fresh one'],
  RPC_LEGAL_BASIS_NOT_GRANTED: ['forbidden', 'a consumer (admission, finance) declared a purpose it may use, but not with a legal basis its rights give that purpose'],
  RPC_MEMBER_EXPIRED: ['forbidden', 'the caller is a member, but outside its valid-from/valid-to period'],
  RPC_NOT_FOUND: ['not-found', 'the callee answered NOT_FOUND without a code of its own'],
  RPC_PROTOCOL_UNSUPPORTED: ['unsupported', 'the peer does not serve the method\'s protocol'],
  RPC_PURPOSE_NOT_GRANTED: ['forbidden', 'a consumer role (admission, finance) declared a purpose its rights do not give it'],
  RPC_PURPOSE_REQUIRED: ['invalid', 'a method that carries personal data was called without a purpose and a legal basis'],
  RPC_REPLAYED: ['conflict', 'the (sender, nonce) pair of the request has been seen before'],
  RPC_RESPONSE_BAD_SIGNATURE: ['unauthenticated', 'the response\'s signature does not verify'],
  RPC_RESPONSE_MALFORMED: ['unavailable', 'the response is not a signed envelope, or its body does not decode'],
  RPC_RESPONSE_REQUEST_MISMATCH: ['unauthenticated', 'the response does not answer this request'],
  RPC_RESPONSE_SIGNER_MISMATCH: ['unauthenticated', 'the response is not signed by the peer that was called'],
  RPC_ROLE_NOT_ALLOWED: ['forbidden', 'the caller\'s roles do not allow this request type'],
  RPC_SERVER_STOPPED: ['unavailable', 'the callee is stopping'],
  RPC_STREAM_RESET: ['unavailable', 'the long-lived stream to the peer ended before the answer came (reset, closed, the connection lost, or the peer sent bytes that are no frame); whether the callee ran the request is unknown'],
  RPC_SIGNER_MISMATCH: ['unauthenticated', 'the request\'s signer is not the peer at the other end of the connection, or not its header\'s sender'],
  RPC_TIMEOUT: ['timeout', 'the call did not complete before its deadline'],
  RPC_TOO_LARGE: ['too-large', 'the request is over the callee\'s size cap'],
  RPC_UNAVAILABLE: ['unavailable', 'the callee answered UNAVAILABLE without a code of its own'],
  RPC_UNKNOWN_MEMBER: ['forbidden', 'the caller (or the peer called) is not an active member in the manifest in force'],
  RPC_UNKNOWN_TYPE: ['unsupported', 'the callee has no handler for this payload type on this protocol'],
  RPC_UNREACHABLE: ['unavailable', 'the peer could not be dialled or the stream broke'],
  RPC_UNSUPPORTED: ['unsupported', 'the callee answered UNSUPPORTED without a code of its own'],
  RPC_WRONG_RECIPIENT: ['invalid', 'the request names another recipient than the callee']
})
