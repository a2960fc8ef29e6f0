/**
 * Protocol /lifelong/replication/1.0.0 (docs/OPERATIONS.md §Warm standby and failover): a primary
 * sends its committed batches to its warm standby. Any member may reach the method; the standby
 * serves only a member of its own organisation that its manifest names as the one it follows
 * (REPLICATION_NOT_SAME_ORGANISATION, REPLICATION_NOT_MY_PRIMARY otherwise).
 */
import { lifelong } from '../../core/gen/proto.js'
import { protoCodec, type Method } from '../../net/rpc/method.ts'

export const REPLICATION_PROTOCOL = '/lifelong/replication/1.0.0'
const pb = lifelong.replication

export const Replicate: Method<lifelong.replication.IReplicateRequest, lifelong.replication.IReplicateResponse> = {
  protocol: REPLICATION_PROTOCOL,
  type: 'lifelong.replication.Replicate',
  request: protoCodec(pb.ReplicateRequest),
  response: protoCodec(pb.ReplicateResponse),
  // Checked by the handler: the same organisation, and the member this standby follows.
  roles: 'any-member',
  // The batches carry every record the primary writes, learners' among them.
  personalData: true
}
