import { describe, expect, it } from 'vitest'
import { parseCliArgs, parseDurationSeconds } from '../src/cli-args.js'

describe('parseCliArgs', () => {
  it('defaults to Hydra’s ports and a client for every grant', () => {
    const c = parseCliArgs([], {})
    expect(c.options).toMatchObject({ port: 4444, adminPort: 4445, host: '127.0.0.1' })
    expect(c.client).toMatchObject({
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      scope: 'openid offline_access offline',
      redirect_uris: [],
    })
    expect(c.client.client_id).toBeUndefined()
    expect(c.json).toBe(false)
  })

  it('reads Hydra’s environment variables; flags win', () => {
    const env = {
      SERVE_PUBLIC_PORT: '5444',
      SERVE_ADMIN_PORT: '5445',
      URLS_LOGIN: 'http://127.0.0.1:3000/login',
      URLS_SELF_ISSUER: 'http://127.0.0.1:5444/',
      STRATEGIES_ACCESS_TOKEN: 'jwt',
      STRATEGIES_JWT_SCOPE_CLAIM: 'both',
      TTL_ACCESS_TOKEN: '15m',
      HYDRAKIT_MOCK_CLIENT_ID: 'from-env',
      HYDRAKIT_MOCK_REDIRECT_URIS: 'http://a/cb, http://b/cb',
    }
    const c = parseCliArgs(['--port', '6444', '--redirect-uri', 'http://c/cb', '--json'], env)
    expect(c.options).toMatchObject({
      port: 6444,
      adminPort: 5445,
      loginUrl: 'http://127.0.0.1:3000/login',
      issuer: 'http://127.0.0.1:5444/',
      accessTokenStrategy: 'jwt',
      scopeClaim: 'both',
      ttl: { accessToken: 900 },
    })
    expect(c.client).toMatchObject({ client_id: 'from-env', redirect_uris: ['http://c/cb'] })
    expect(parseCliArgs([], env).client.redirect_uris).toEqual(['http://a/cb', 'http://b/cb'])
    expect(c.json).toBe(true)
  })

  it('refuses unknown flags and bad values with a TypeError naming the flag', () => {
    expect(() => parseCliArgs(['--nope'], {})).toThrow(TypeError)
    expect(() => parseCliArgs(['--port', 'abc'], {})).toThrow(/--port/)
    expect(() => parseCliArgs(['--ttl-auth-code', 'soon'], {})).toThrow(/--ttl-auth-code/)
  })
})

describe('parseDurationSeconds', () => {
  it.each([
    ['3600', 3600],
    ['90s', 90],
    ['30m', 1800],
    ['1h30m', 5400],
    ['720h', 2592000],
  ])('%s = %i seconds', (input, seconds) => {
    expect(parseDurationSeconds(input, 'x')).toBe(seconds)
  })
  it.each(['0', '-1', '1d', '500ms', ''])('%s is refused', (input) => {
    expect(() => parseDurationSeconds(input, '--ttl')).toThrow(/--ttl must be a positive duration/)
  })
})
