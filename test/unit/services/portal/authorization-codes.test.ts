/**
 * The development providers' single-use authorization codes (the portal's sample-learner issuer
 * and the workbench's staff issuer share them): what the token endpoint refuses, and that a code
 * is spent at its first presentation.
 */
import { describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { AuthorizationCodes, codeChallengeOf, DEV_CODE_TTL_MS } from '../../../../src/services/portal/oidc.ts'

const CLIENT = 'portal'
const REDIRECT = 'https://portal.example/callback'

function setup () {
  const clock = { now: 1_000_000 }
  const codes = new AuthorizationCodes<{ clientId: string, redirectUri: string, codeChallenge: string, who: string }>(() => clock.now)
  const verifier = randomBytes(32).toString('base64url')
  const code = codes.issue({ clientId: CLIENT, redirectUri: REDIRECT, codeChallenge: codeChallengeOf(verifier), who: 'kari' })
  const form = { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: CLIENT, code_verifier: verifier }
  const refusal = (f: typeof form): string => {
    try {
      codes.redeem(f, CLIENT)
    } catch (err) {
      return (err as { error: string }).error
    }
    return 'redeemed'
  }
  return { clock, codes, verifier, code, form, refusal }
}

describe('development authorization codes', () => {
  it('redeem once, for the client, redirect URI and verifier they were issued for', () => {
    const { codes, form, refusal } = setup()
    expect(codes.redeem(form, CLIENT)).toEqual({ clientId: CLIENT, redirectUri: REDIRECT, codeChallenge: expect.any(String), who: 'kari' })
    expect(refusal(form)).toBe('invalid_grant')
  })

  it('refuse another grant type, an unknown client, a missing part, another redirect URI, a wrong verifier, an old code, and spend the code on any of the last three', () => {
    expect(setup().refusal({ ...setup().form, grant_type: 'client_credentials' })).toBe('unsupported_grant_type')
    expect(setup().refusal({ ...setup().form, grant_type: '' })).toBe('invalid_request')
    expect(setup().refusal({ ...setup().form, client_id: 'other' })).toBe('invalid_client')
    expect(setup().refusal({ ...setup().form, code: '' })).toBe('invalid_request')
    for (const change of [{ redirect_uri: 'https://evil.example/cb' }, { code_verifier: randomBytes(32).toString('base64url') }, { code_verifier: 'short' }]) {
      const s = setup()
      expect(s.refusal({ ...s.form, ...change })).toBe('invalid_grant')
      // Spent: the right request after a wrong one is refused too.
      expect(s.refusal(s.form)).toBe('invalid_grant')
    }
    const s = setup()
    s.clock.now += DEV_CODE_TTL_MS
    expect(s.refusal(s.form)).toBe('invalid_grant')
  })

  it('are issued only for an S256 challenge', () => {
    const { codes } = setup()
    expect(() => codes.issue({ clientId: CLIENT, redirectUri: REDIRECT, codeChallenge: 'plain', who: 'ola' })).toThrow(expect.objectContaining({ code: 'AUTH_PKCE_REQUIRED' }))
  })
})
