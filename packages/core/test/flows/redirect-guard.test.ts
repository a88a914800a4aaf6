import { describe, expect, it } from 'vitest'
import { createRedirectGuard } from '../../src/flows/index.js'

describe('createRedirectGuard', () => {
  const guard = createRedirectGuard('https://auth.example.com/some/path', ['http://127.0.0.1:4444'])

  it('allows Hydra public origin and the extra origins only', () => {
    expect(guard.origins).toEqual(['https://auth.example.com', 'http://127.0.0.1:4444'])
    expect(guard.check('https://auth.example.com/oauth2/auth?login_verifier=x')).toBe(
      'https://auth.example.com/oauth2/auth?login_verifier=x',
    )
    expect(guard.check('http://127.0.0.1:4444/oauth2/sessions/logout?logout_verifier=y')).toBeDefined()
  })

  it.each([
    'https://evil.example/',
    'https://auth.example.com.evil.example/',
    'https://auth.example.com:8443/',
    'http://auth.example.com/',
    'https://user:pw@auth.example.com/',
    '//auth.example.com/x',
    '/oauth2/auth',
    'javascript:alert(1)',
    'data:text/html,hi',
    'not a url',
    '',
  ])('refuses %j', (url) => {
    expect(guard.check(url)).toBeUndefined()
  })

  it('checks its options', () => {
    expect(() => createRedirectGuard('')).toThrow(/hydraPublicUrl is required/)
    expect(() => createRedirectGuard('https://a', 'x' as unknown as string[])).toThrow(
      /allowedRedirectOrigins must be an array/,
    )
    expect(() => createRedirectGuard('https://a', ['https://u:p@b'])).toThrow(
      /allowedRedirectOrigins\[0\] must not contain credentials/,
    )
  })
})
