/**
 * HTTP routes of the admission node: the admission service's own systems send a round's
 * applicants and get each one's score with its trace. A service bearer token from an issuer in
 * `auth.issuers` with the scope `admission.score`, checked by the HTTP edge before the body is
 * read. National IDs travel in the body only, never in a URL.
 */
import type { FastifyPluginAsync } from 'fastify'
import type { AdmissionModule, Round, RoundApplicant } from '../../services/admission/module.ts'

/** The scope a service token needs to score a round. */
export const ADMISSION_SCOPE = 'admission.score'
const bearer = { security: [{ bearerAuth: [] }] }
const DOC_REF = { type: 'string', minLength: 1, maxLength: 100 }
const errors = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 403: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 413: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } }

interface RoundBody {
  year: number
  programme?: string
  applicants: Array<{ ref: string, nationalId?: string, educationId?: string, birthYear?: number, gender?: 'female' | 'male', grounds?: RoundApplicant['grounds'] }>
}

export function admissionRoutes (admission: AdmissionModule, maxApplicants: number): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: RoundBody }>('/admission/rounds', {
      config: { policy: { caller: 'service', scope: ADMISSION_SCOPE } },
      schema: {
        ...bearer,
        summary: 'Gather, verify and score the applicants of an admission round by the rules of its year; each applicant\'s score with the results every point came from',
        tags: ['admission'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['year', 'applicants'],
          properties: {
            year: { type: 'integer', description: 'The admission year; its rules score the round' },
            programme: { type: 'string', maxLength: 20, description: 'The programme\'s offering ID in the education registry (its special requirement applies)' },
            applicants: {
              type: 'array',
              maxItems: maxApplicants,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['ref'],
                properties: {
                  ref: { type: 'string', minLength: 1, maxLength: 64, description: 'The round\'s own reference of the applicant' },
                  nationalId: { type: 'string', maxLength: 11 },
                  educationId: { type: 'string', maxLength: 20 },
                  birthYear: { type: 'integer' },
                  gender: { type: 'string', enum: ['female', 'male'], description: 'From the application; read only where the programme gives kjønnspoeng' },
                  grounds: {
                    type: 'object',
                    additionalProperties: false,
                    description: 'Grounds for additional points the application documents, each with its document\'s reference (the trace names it)',
                    properties: {
                      folkehogskole: {
                        type: 'object',
                        additionalProperties: false,
                        required: ['ref'],
                        properties: { ref: DOC_REF, weeks: { type: 'integer', minimum: 0, maximum: 60 }, attendancePercent: { type: 'number', minimum: 0, maximum: 100 } }
                      },
                      military: { type: 'object', additionalProperties: false, required: ['ref', 'completedOn'], properties: { ref: DOC_REF, completedOn: { type: 'string', format: 'date' } } },
                      civilService: { type: 'object', additionalProperties: false, required: ['ref'], properties: { ref: DOC_REF } },
                      fagskole: { type: 'object', additionalProperties: false, required: ['credits', 'refs'], properties: { credits: { type: 'number', minimum: 0, maximum: 1000 }, refs: { type: 'array', maxItems: 20, items: DOC_REF } } }
                    }
                  }
                }
              }
            }
          }
        },
        response: { 200: { type: 'object', properties: { outcomes: { type: 'array', items: { type: 'object', additionalProperties: true } } } }, ...errors }
      }
    }, async (request) => {
      const round: Round = {
        year: request.body.year,
        ...(request.body.programme === undefined ? {} : { programme: request.body.programme }),
        applicants: request.body.applicants.map((a) => ({
          ref: a.ref,
          subject: a.nationalId !== undefined ? { scheme: 'national-id' as const, value: a.nationalId } : { scheme: 'education-id' as const, value: a.educationId ?? '' },
          ...(a.birthYear === undefined ? {} : { birthYear: a.birthYear }),
          ...(a.gender === undefined ? {} : { gender: a.gender }),
          ...(a.grounds === undefined ? {} : { grounds: a.grounds })
        }))
      }
      return { outcomes: await admission.scoreRound(round) }
    })
  }
}
