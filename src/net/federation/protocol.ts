/**
 * Protocol /lifelong/manifest/1.0.0: members hand each other newer manifests. It is the only
 * protocol served while a node's manifest has expired, so that an expired node can recover.
 */
import { lifelong } from '../../core/gen/proto.js'
import { protoCodec, type Method } from '../rpc/method.ts'

export const MANIFEST_PROTOCOL = '/lifelong/manifest/1.0.0'
const pb = lifelong.federation

export const GetManifest: Method<lifelong.federation.IGetManifestRequest, lifelong.federation.IGetManifestResponse> = {
  protocol: MANIFEST_PROTOCOL,
  type: 'lifelong.federation.GetManifest',
  request: protoCodec(pb.GetManifestRequest),
  response: protoCodec(pb.GetManifestResponse),
  roles: 'any-member',
  servedWhenExpired: true
}

export const AnnounceManifest: Method<lifelong.federation.IAnnounceManifestRequest, lifelong.federation.IAnnounceManifestResponse> = {
  protocol: MANIFEST_PROTOCOL,
  type: 'lifelong.federation.AnnounceManifest',
  request: protoCodec(pb.AnnounceManifestRequest),
  response: protoCodec(pb.AnnounceManifestResponse),
  roles: 'any-member',
  servedWhenExpired: true
}
