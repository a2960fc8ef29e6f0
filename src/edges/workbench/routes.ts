/**
 * The workbench's routes on an institution node: the staff's sign-in (OpenID Connect, code flow
 * with PKCE; `/workbench/login` starts it, `/workbench/callback` completes it), sign-out, the
 * pages (overview, catalogue, an offering and its edit, imports, outbox, checkpoints) and — in
 * test and demo federations only — the development identity provider. Every staff page declares
 * the permission it needs (`{ caller: 'staff', may }`, src/edges/http/edge.ts): a browser without
 * a session is sent to sign in, a member whose roles lack it is refused (`WORKBENCH_ROLE_MISSING`).
 * Every form posts the session's CSRF token, checked at the edge (src/edges/http/csrf.ts). Forms
 * are `application/x-www-form-urlencoded`, uploads `multipart/form-data` (src/edges/http/plugins.ts).
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { LifelongError, ValidationError, isLifelongError } from '../../core/errors.ts'
import type { StaffPermission } from '../../core/config/workbench.ts'
import type { WorkbenchModule } from '../../services/workbench/module.ts'
import { DEV_SIGN_IN_PATH } from '../../services/workbench/module.ts'
import { DEV_STAFF_CLIENT } from '../../services/workbench/dev-issuer.ts'
import { safeWorkbenchPath } from '../../services/workbench/sign-in.ts'
import { PKCE_CHALLENGE } from '../../services/portal/oidc.ts'
import { editOf, EDIT_FIELDS, type OfferingEdit } from '../../services/workbench/workbench.ts'
import type { StaffCaller } from '../http/edge.ts'
import { HTTP_STATUS } from '../http/errors.ts'
import { wantsJsonOnly } from '../http/error-page.ts'
import { UPLOAD_LIMIT } from '../http/plugins.ts'
import { langOf } from '../ui/lang.ts'
import { sendShellPage } from '../ui/shell.ts'
import { uiAssetRoutes } from '../ui/assets.ts'
import { cataloguePage, checkpointsPage, devSignInPage, homePage, importPage, importsPage, offeringPage, outboxPage, signInPage, type OfferingPageState, type Viewer } from './pages.ts'

type Form = Record<string, string | string[] | Buffer | undefined>

const one = (v: Form[string]): string => Array.isArray(v) ? (v[0] ?? '') : typeof v === 'string' ? v : ''
const lang = { type: 'string', enum: ['nb', 'nn', 'en'] } as const
const langQuery = { type: 'object', properties: { lang } } as const
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[A-Z][0-9]{9}$' } } } as const
const jobParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^(catalogue|results)-[0-9a-f]{12}$' } } } as const
const SIGN_IN = '/workbench/sign-in'

/** A staff page's options: the permission it needs; errors are pages; no session: sign in first. */
const staff = (may: StaffPermission) => ({ policy: { caller: 'staff', may }, errors: 'page', signIn: SIGN_IN }) as const

/** The staff member the edge authenticated for the route. */
function callerOf (request: FastifyRequest): StaffCaller {
  const c = request.caller
  if (c.kind !== 'staff') throw new LifelongError('unauthenticated', 'WORKBENCH_SIGN_IN_REQUIRED', 'sign in to the workbench first')
  return c
}

export interface WorkbenchRoutesOptions {
  /** The institution's name (the overview says whose workbench it is). */
  institution: string
}

export function workbenchRoutes (wb: WorkbenchModule, options: WorkbenchRoutesOptions): FastifyPluginAsync {
  return async (app) => {
    const viewer = (request: FastifyRequest): Viewer => {
      const c = callerOf(request)
      return { member: { id: c.id, name: c.name, roles: c.roles as Viewer['member']['roles'], permissions: c.permissions }, ...(request.csrfToken === undefined ? {} : { csrf: request.csrfToken }) }
    }
    const send = sendShellPage

    await app.register(uiAssetRoutes())

    // ---------------------------------------------------------------------------------------
    // Sign-in and sign-out

    app.get<{ Querystring: { returnTo?: string, out?: string, lang?: string } }>(SIGN_IN, {
      config: { policy: { caller: 'public' }, errors: 'page' },
      schema: { summary: 'The workbench\'s sign-in page', tags: ['workbench'], querystring: { type: 'object', properties: { returnTo: { type: 'string', maxLength: 500 }, out: { type: 'string', maxLength: 1 }, lang } } }
    }, async (request, reply) => {
      if (await wb.signIn.staffOf(request) !== undefined) return await reply.redirect(safeWorkbenchPath(request.query.returnTo), 303)
      return await send(reply, signInPage(langOf(request), request.url, safeWorkbenchPath(request.query.returnTo), request.query.out === '1'))
    })

    app.get<{ Querystring: { returnTo?: string } }>('/workbench/login', {
      config: { policy: { caller: 'public' }, errors: 'page', limit: 'signIn' },
      schema: { summary: 'Start signing in at the staff\'s OIDC service (code flow with PKCE)', tags: ['workbench'], querystring: { type: 'object', properties: { returnTo: { type: 'string', maxLength: 500 }, lang } } }
    }, async (request, reply) => await reply.redirect(wb.signIn.signInUrl(reply, request.query.returnTo ?? '/workbench'), 303))

    app.get<{ Querystring: Record<string, string> }>('/workbench/callback', {
      config: { policy: { caller: 'public' }, errors: 'page', limit: 'signIn' },
      schema: {
        summary: 'The staff\'s OIDC service sends the authorization code here',
        tags: ['workbench'],
        querystring: {
          type: 'object',
          properties: {
            code: { type: 'string', maxLength: 2048 },
            state: { type: 'string', maxLength: 200 },
            iss: { type: 'string', maxLength: 500 },
            error: { type: 'string', maxLength: 200 },
            error_description: { type: 'string', maxLength: 1000 }
          }
        }
      }
    }, async (request, reply) => {
      const q = request.query
      const { member, returnTo } = await wb.signIn.complete(request, reply, {
        ...(q.code === undefined ? {} : { code: q.code }),
        ...(q.state === undefined ? {} : { state: q.state }),
        ...(q.iss === undefined ? {} : { iss: q.iss }),
        ...(q.error === undefined ? {} : { error: q.error })
      })
      await wb.audit.record({ at: Date.now(), staff: member.id, action: 'sign-in', outcome: 'ok' })
      return await reply.redirect(returnTo, 303)
    })

    // Open to anyone: signing out without a session does nothing. With one, the edge checks the form's CSRF token.
    app.post('/workbench/sign-out', {
      config: { policy: { caller: 'public' }, errors: 'page' },
      schema: { summary: 'Sign out of the workbench: ends this session on the server', tags: ['workbench'] }
    }, async (request, reply) => {
      const who = await wb.signIn.signOut(request, reply)
      if (who !== undefined) await wb.audit.record({ at: Date.now(), staff: who, action: 'sign-out', outcome: 'ok' })
      return await reply.redirect(`${SIGN_IN}?out=1`, 303)
    })

    // ---------------------------------------------------------------------------------------
    // Pages

    app.get('/workbench', { config: staff('workbench.view'), schema: { summary: 'The workbench\'s overview (page)', tags: ['workbench'], querystring: langQuery } }, async (request, reply) => {
      return await send(reply, homePage(langOf(request), viewer(request), options.institution, await wb.audit.latest(15)))
    })

    app.get<{ Querystring: { offset?: string } }>('/workbench/catalogue', {
      config: staff('workbench.view'),
      schema: { summary: 'This institution\'s offerings (page)', tags: ['workbench'], querystring: { type: 'object', properties: { offset: { type: 'string', pattern: '^[0-9]{1,6}$' }, lang } } }
    }, async (request, reply) => {
      const offset = Number(request.query.offset ?? '0')
      const limit = 50
      return await send(reply, cataloguePage(langOf(request), viewer(request), request.url, wb.workbench.offerings(offset, limit), offset, limit))
    })

    const offeringHtml = async (request: FastifyRequest, reply: FastifyReply, id: string, state: OfferingPageState | undefined, status = 200): Promise<FastifyReply> => {
      const versions = wb.workbench.offering(id)
      const latest = versions.reduce((a, b) => (b.seq > a.seq ? b : a))
      const v = viewer(request)
      return await send(reply, offeringPage(langOf(request), v, versions, state ?? { form: editOf(latest, wb.workbench.today()), errors: {} }, v.member.permissions.includes('catalogue.edit')), status)
    }

    app.get<{ Params: { id: string }, Querystring: { saved?: 'updated' | 'unchanged', seq?: string } }>('/workbench/catalogue/:id', {
      config: staff('workbench.view'),
      schema: {
        summary: 'One offering of this institution: its history, and the form that makes a new version (page)',
        tags: ['workbench'],
        params: idParams,
        querystring: { type: 'object', properties: { saved: { type: 'string', enum: ['updated', 'unchanged'] }, seq: { type: 'string', pattern: '^[0-9]{1,6}$' }, lang } }
      }
    }, async (request, reply) => {
      const versions = wb.workbench.offering(request.params.id)
      const latest = versions.reduce((a, b) => (b.seq > a.seq ? b : a))
      const saved = request.query.saved
      return await offeringHtml(request, reply, request.params.id, { form: editOf(latest, wb.workbench.today()), errors: {}, ...(saved === undefined ? {} : { saved: { outcome: saved, seq: Number(request.query.seq ?? latest.seq) } }) })
    })

    app.post<{ Params: { id: string }, Body: Record<string, string> }>('/workbench/catalogue/:id', {
      config: staff('catalogue.edit'),
      schema: {
        summary: 'Make a new version of one of this institution\'s offerings (form post; validation errors come back at their fields)',
        tags: ['workbench'],
        params: idParams,
        body: { type: 'object', additionalProperties: false, properties: Object.fromEntries(EDIT_FIELDS.map((f) => [f, { type: 'string', maxLength: f.startsWith('learningOutcomes') ? 4000 : 300 }])) }
      }
    }, async (request, reply) => {
      const id = request.params.id
      const form = Object.fromEntries(EDIT_FIELDS.map((f) => [f, request.body[f] ?? ''])) as unknown as OfferingEdit
      try {
        const { outcome, version } = await wb.workbench.edit(callerOf(request).id, id, form)
        // Post/redirect/get: a reload does not send the form again.
        return await reply.redirect(`/workbench/catalogue/${id}?saved=${outcome}&seq=${version.seq}`, 303)
      } catch (err) {
        // Not this institution's offering (or none): the error page, nothing stored.
        if (isLifelongError(err, 'EDUCATION_UNKNOWN_OFFERING')) throw err
        if (err instanceof ValidationError) {
          const errors: OfferingPageState['errors'] = {}
          for (const f of err.fields) (errors[f.path as keyof OfferingEdit | ''] ??= []).push(f.message)
          return await offeringHtml(request, reply, id, { form, errors }, 400)
        }
        if (err instanceof LifelongError && err.kind !== 'internal') {
          return await offeringHtml(request, reply, id, { form, errors: {}, refusal: { code: err.code, message: err.message } }, HTTP_STATUS[err.kind])
        }
        throw err
      }
    })

    app.get('/workbench/imports', { config: staff('workbench.view'), schema: { summary: 'Import a catalogue or results file; the recent imports (page)', tags: ['workbench'], querystring: langQuery } }, async (request, reply) => {
      return await send(reply, importsPage(langOf(request), viewer(request), wb.imports.list()))
    })

    const startImport = (kind: 'catalogue' | 'results') => async (request: FastifyRequest<{ Body: Form }>, reply: FastifyReply): Promise<FastifyReply> => {
      const body = request.body ?? {}
      const file = body.file
      if (!Buffer.isBuffer(file) || file.length === 0) throw new LifelongError('invalid', 'WORKBENCH_UPLOAD_INVALID', 'choose a file to import')
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(file)
      } catch (err) {
        throw new LifelongError('invalid', 'WORKBENCH_UPLOAD_INVALID', 'the file is not UTF-8 text', { cause: err })
      }
      const name = (request.uploadedFileName ?? 'file').slice(0, 200)
      const chosen = one(body.format)
      const format = kind === 'results' ? 'json' : chosen === 'json' || chosen === 'csv' ? chosen : /\.json$/i.test(name) ? 'json' : 'csv'
      const job = await wb.imports.start(kind, { name, text, format }, callerOf(request).id)
      // A small file is done in a moment: its page then shows the report at once.
      await wb.imports.settled(job.id, 2000)
      return await reply.redirect(`/workbench/imports/${job.id}`, 303)
    }
    const uploadSchema = (what: string) => ({ summary: `Start an import of a ${what} file (multipart/form-data: file, format); the import's page follows its progress`, tags: ['workbench'], consumes: ['multipart/form-data'] })
    app.post('/workbench/imports/catalogue', { config: { ...staff('catalogue.import'), uploads: true }, bodyLimit: UPLOAD_LIMIT, schema: uploadSchema('catalogue') }, startImport('catalogue'))
    app.post('/workbench/imports/results', { config: { ...staff('results.import'), uploads: true }, bodyLimit: UPLOAD_LIMIT, schema: uploadSchema('results') }, startImport('results'))

    app.get<{ Params: { id: string } }>('/workbench/imports/:id', {
      config: staff('workbench.view'),
      schema: { summary: 'An import\'s progress, then its report or every problem (page; JSON `{ state }` for the page\'s own polling)', tags: ['workbench'], params: jobParams, querystring: langQuery }
    }, async (request, reply) => {
      const job = wb.imports.get(request.params.id)
      if (wantsJsonOnly(request)) return await reply.header('cache-control', 'no-store').send({ state: job.state === 'running' ? 'pending' : job.state, progress: job.progress })
      return await send(reply, importPage(langOf(request), viewer(request), job))
    })

    app.get('/workbench/outbox', { config: staff('workbench.view'), schema: { summary: 'The index outbox: pointers pending and sent (page)', tags: ['workbench'], querystring: langQuery } }, async (request, reply) => {
      return await send(reply, outboxPage(langOf(request), viewer(request), await wb.workbench.outbox()))
    })

    app.get(
      '/workbench/checkpoints',
      { config: staff('workbench.view'), schema: { summary: 'The node\'s latest checkpoints and the witnesses that cosigned them (page)', tags: ['workbench'], querystring: langQuery } },
      async (request, reply) => {
        return await send(reply, checkpointsPage(langOf(request), viewer(request), await wb.workbench.checkpoints(5)))
      }
    )

    // ---------------------------------------------------------------------------------------
    // The development identity provider (test and demo federations only)

    const dev = wb.devIssuer
    if (dev === undefined) return
    const AUTHORIZE_PARAMS = ['client_id', 'redirect_uri', 'state', 'nonce', 'response_type', 'code_challenge', 'code_challenge_method'] as const
    type AuthorizeRequest = Record<typeof AUTHORIZE_PARAMS[number], string>
    const authorizeFields = Object.fromEntries(AUTHORIZE_PARAMS.map((k) => [k, { type: 'string', maxLength: 500 }]))
    const requestOf = (source: Form): AuthorizeRequest => Object.fromEntries(AUTHORIZE_PARAMS.map((k) => [k, one(source[k])])) as AuthorizeRequest
    /** Only the workbench of this node, with PKCE (S256) and a code response. */
    const check = (q: AuthorizeRequest): void => {
      if (q.client_id !== DEV_STAFF_CLIENT || q.redirect_uri !== wb.signIn.redirectUri()) throw new LifelongError('invalid', 'AUTH_UNKNOWN_CLIENT', 'the development identity provider signs staff in to this node\'s workbench only')
      if (q.response_type !== 'code' || q.code_challenge_method !== 'S256' || !PKCE_CHALLENGE.test(q.code_challenge)) throw new LifelongError('invalid', 'AUTH_PKCE_REQUIRED', 'response_type=code with an S256 code_challenge is required')
    }

    app.get<{ Querystring: Form }>(`${DEV_SIGN_IN_PATH}/authorize`, {
      config: { policy: { caller: 'development' }, errors: 'page' },
      schema: { summary: 'Development identity provider: choose a staff member (page)', tags: ['workbench'], querystring: { type: 'object', properties: { ...authorizeFields, scope: { type: 'string', maxLength: 200 }, lang } } }
    }, async (request, reply) => {
      const q = requestOf(request.query)
      check(q)
      return await send(reply, devSignInPage(langOf(request), request.url, dev.staff, q))
    })

    app.post<{ Body: Form }>(`${DEV_SIGN_IN_PATH}/authorize`, {
      config: {
        policy: { caller: 'development' },
        errors: 'page',
        crossSite: 'development identity provider: stands for the organisation\'s sign-in service on its own origin; its form carries the authorization request, not a workbench session'
      },
      schema: { summary: 'Development identity provider: sign in as the chosen staff member (sends a code back)', tags: ['workbench'], body: { type: 'object', properties: { ...authorizeFields, staff: { type: 'string', maxLength: 64 } } } }
    }, async (request, reply) => {
      const q = requestOf(request.body)
      check(q)
      const code = dev.issueCode({ clientId: q.client_id, redirectUri: q.redirect_uri, nonce: q.nonce, staff: one(request.body.staff), codeChallenge: q.code_challenge })
      const to = new URL(q.redirect_uri)
      to.searchParams.set('code', code)
      to.searchParams.set('state', q.state)
      to.searchParams.set('iss', dev.issuer())
      return await reply.header('cache-control', 'no-store').redirect(to.toString(), 303)
    })

    app.post<{ Body: Form }>(`${DEV_SIGN_IN_PATH}/token`, {
      config: { policy: { caller: 'development' }, errors: 'oauth' },
      schema: { summary: 'Development identity provider: exchange a code and its PKCE verifier for an ID token', tags: ['workbench'] }
    }, async (request, reply) => {
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
      const form = request.body ?? {}
      const field = (k: string): string | undefined => form[k] === undefined ? undefined : one(form[k])
      return await dev.redeem({ grant_type: field('grant_type'), code: field('code'), redirect_uri: field('redirect_uri'), client_id: field('client_id'), code_verifier: field('code_verifier') })
    })
  }
}
