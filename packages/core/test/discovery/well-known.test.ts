import { describe, expect, it } from 'vitest'
import { parseIssuer, wellKnownUrl } from '../../src/discovery/well-known.js'

describe('wellKnownUrl', () => {
  it.each([
    [
      'https://as.example',
      'https://as.example/.well-known/openid-configuration',
      'https://as.example/.well-known/oauth-authorization-server',
    ],
    [
      'https://as.example/',
      'https://as.example/.well-known/openid-configuration',
      'https://as.example/.well-known/oauth-authorization-server',
    ],
    [
      'https://as.example/tenant',
      'https://as.example/tenant/.well-known/openid-configuration',
      'https://as.example/.well-known/oauth-authorization-server/tenant',
    ],
    [
      'https://as.example/tenant/',
      'https://as.example/tenant/.well-known/openid-configuration',
      'https://as.example/.well-known/oauth-authorization-server/tenant',
    ],
    [
      'https://kc.example/realms/main',
      'https://kc.example/realms/main/.well-known/openid-configuration',
      'https://kc.example/.well-known/oauth-authorization-server/realms/main',
    ],
    [
      'http://127.0.0.1:4444',
      'http://127.0.0.1:4444/.well-known/openid-configuration',
      'http://127.0.0.1:4444/.well-known/oauth-authorization-server',
    ],
  ])('%s', (issuer, openid, oauth) => {
    const url = parseIssuer(issuer, 'issuer')
    expect(wellKnownUrl(url, 'openid-configuration')).toBe(openid)
    expect(wellKnownUrl(url, 'oauth-authorization-server')).toBe(oauth)
  })
})

describe('parseIssuer', () => {
  it.each([
    [undefined, 'issuer must be a non-empty string'],
    ['', 'issuer must be a non-empty string'],
    ['as.example', 'issuer must be an absolute URL, got "as.example"'],
    ['ftp://as.example', 'issuer must be an http(s) URL'],
    ['https://as.example/?tenant=1', 'issuer must not have a query or fragment'],
    ['https://as.example/#x', 'issuer must not have a query or fragment'],
    ['https://as.example?', 'issuer must not have a query or fragment'],
    ['https://user:pw@as.example', 'issuer must not carry credentials'],
  ])('refuses %j', (value, message) => {
    expect(() => parseIssuer(value, 'issuer')).toThrow(TypeError)
    expect(() => parseIssuer(value, 'issuer')).toThrow(message)
  })
})
