/**
 * Protocol /lifelong/catalogue/1.0.0: institution nodes publish their offerings' versions to the
 * registry node, accreditors publish decisions, and any member looks offerings up (the results
 * registry checks a result's offering and its issuer on a date). Requests travel in the signed
 * framework (src/net/rpc): the registry knows who is asking from the verified envelope and the
 * manifest, never from the body.
 */
import { lifelong } from '../../../core/gen/proto.js'
import { protoCodec, type Method } from '../../../net/rpc/method.ts'

export const CATALOGUE_PROTOCOL = '/lifelong/catalogue/1.0.0'
const pb = lifelong.education

export const PublishOfferings: Method<lifelong.education.PublishOfferingsRequest.$Properties, lifelong.education.PublishOfferingsResponse.$Properties> = {
  protocol: CATALOGUE_PROTOCOL,
  type: 'lifelong.education.PublishOfferings',
  request: protoCodec(pb.PublishOfferingsRequest),
  response: protoCodec(pb.PublishOfferingsResponse),
  roles: ['institution']
}

export const RecordAccreditation: Method<lifelong.education.RecordAccreditationRequest.$Properties, lifelong.education.RecordAccreditationResponse.$Properties> = {
  protocol: CATALOGUE_PROTOCOL,
  type: 'lifelong.education.RecordAccreditation',
  request: protoCodec(pb.RecordAccreditationRequest),
  response: protoCodec(pb.RecordAccreditationResponse),
  roles: ['accreditor']
}

export const GetOffering: Method<lifelong.education.GetOfferingRequest.$Properties, lifelong.education.GetOfferingResponse.$Properties> = {
  protocol: CATALOGUE_PROTOCOL,
  type: 'lifelong.education.GetOffering',
  request: protoCodec(pb.GetOfferingRequest),
  response: protoCodec(pb.GetOfferingResponse),
  roles: 'any-member'
}

export const ListOwnedOfferings: Method<lifelong.education.ListOwnedOfferingsRequest.$Properties, lifelong.education.ListOwnedOfferingsResponse.$Properties> = {
  protocol: CATALOGUE_PROTOCOL,
  type: 'lifelong.education.ListOwnedOfferings',
  request: protoCodec(pb.ListOwnedOfferingsRequest),
  response: protoCodec(pb.ListOwnedOfferingsResponse),
  roles: ['institution']
}
