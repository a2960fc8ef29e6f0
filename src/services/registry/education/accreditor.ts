/**
 * The accreditor node's side (NOKUT): decisions are sent to the registry over the catalogue
 * protocol, signed by this node, so the registry knows they come from an accreditor. The
 * registry records them (with its own ID and record time) and answers with what it recorded.
 */
import type { Federation } from '../../../net/federation/federation.ts'
import type { RpcClient } from '../../../net/rpc/client.ts'
import { EducationCodes as C, educationError, NO_REGISTRY_MESSAGE } from './errors.ts'
import { decisionFromProto, type AccreditationDecision } from './model.ts'
import { RecordAccreditation } from './protocol.ts'

export interface AccreditorDeskComponents {
  client: RpcClient
  federation: Federation
}

export interface DecisionInput {
  subjectType: string
  subject: string
  type: string
  status: string
  decisionDate: string
  validFrom: string
  validTo?: string
  reference: string
}

export class AccreditorDesk {
  private readonly c: AccreditorDeskComponents

  constructor (components: AccreditorDeskComponents) {
    this.c = components
  }

  async record (input: DecisionInput): Promise<AccreditationDecision> {
    const registry = this.c.federation.membersWithRole('registry')[0]
    if (registry === undefined) throw educationError('unavailable', C.registryUnavailable, NO_REGISTRY_MESSAGE)
    const res = await this.c.client.call(registry.peerId, RecordAccreditation, { decision: { ...input, validTo: input.validTo ?? '' } })
    return decisionFromProto(res.decision)
  }
}
