/** Protocol /lifelong/log/1.0.0 (docs/LOG.md §Protocol): every member may call every method. */
import { lifelong } from '../../core/gen/proto.js'
import { protoCodec, type Method } from '../../net/rpc/method.ts'

export const LOG_PROTOCOL = '/lifelong/log/1.0.0'
const pb = lifelong.log

function method<Req, Res> (name: string, request: Method<Req, Res>['request'], response: Method<Req, Res>['response']): Method<Req, Res> {
  return { protocol: LOG_PROTOCOL, type: `lifelong.log.${name}`, request, response, roles: 'any-member' }
}

export const GetCheckpoint = method<lifelong.log.IGetCheckpointRequest, lifelong.log.IGetCheckpointResponse>('GetCheckpoint', protoCodec(pb.GetCheckpointRequest), protoCodec(pb.GetCheckpointResponse))
export const GetInclusionProof = method<lifelong.log.IGetInclusionProofRequest, lifelong.log.IGetInclusionProofResponse>('GetInclusionProof', protoCodec(pb.GetInclusionProofRequest), protoCodec(pb.GetInclusionProofResponse))
export const GetConsistencyProof = method<lifelong.log.IGetConsistencyProofRequest, lifelong.log.IGetConsistencyProofResponse>('GetConsistencyProof', protoCodec(pb.GetConsistencyProofRequest), protoCodec(pb.GetConsistencyProofResponse))
export const GetEntries = method<lifelong.log.IGetEntriesRequest, lifelong.log.IGetEntriesResponse>('GetEntries', protoCodec(pb.GetEntriesRequest), protoCodec(pb.GetEntriesResponse))
export const AddCheckpoint = method<lifelong.log.IAddCheckpointRequest, lifelong.log.IAddCheckpointResponse>('AddCheckpoint', protoCodec(pb.AddCheckpointRequest), protoCodec(pb.AddCheckpointResponse))
export const Gossip = method<lifelong.log.IGossipRequest, lifelong.log.IGossipResponse>('Gossip', protoCodec(pb.GossipRequest), protoCodec(pb.GossipResponse))
export const GetWitnessed = method<lifelong.log.IGetWitnessedRequest, lifelong.log.IGetWitnessedResponse>('GetWitnessed', protoCodec(pb.GetWitnessedRequest), protoCodec(pb.GetWitnessedResponse))
