import { describe, expect, test } from '@jest/globals'
import { appsyncAuthorizerEvent, authorizerTokenEvent } from '@middy-auth/testing'
import { loadFixture } from '../../../test/support/fixtures.js'
import { eventKind } from '../src/index.js'
import { compileHeaderSource, compileTokenSource } from '../src/internal.js'

describe("AppSync's authorizer event: the token is read from authorizationToken", () => {
  const read = compileTokenSource({ header: 'Authorization', scheme: 'Bearer' })

  test("the AWS docs' sample is an AppSync authorizer event, and its bare token is read", () => {
    const event = loadFixture('authorizer-appsync.json')
    expect(eventKind(event)).toBe('authorizer-appsync')
    expect(read(event)).toEqual({ kind: 'token', token: 'ExampleAUTHtoken123123123', presentedAs: 'bearer' })
  })

  test('bare, or after the scheme (any case); another scheme is no credentials; empty is malformed', () => {
    expect(read(appsyncAuthorizerEvent({ token: 'eyJ.a.b' }))).toMatchObject({ kind: 'token', token: 'eyJ.a.b' })
    expect(read(appsyncAuthorizerEvent({ token: 'bearer eyJ.a.b' }))).toMatchObject({ kind: 'token', token: 'eyJ.a.b' })
    expect(read(appsyncAuthorizerEvent({ token: 'Basic dXNlcjpwYXNz' }))).toEqual({ kind: 'missing' })
    expect(read(appsyncAuthorizerEvent({ token: '' }))).toEqual({ kind: 'malformed', reason: 'empty' })
    expect(read(appsyncAuthorizerEvent({ token: 'Bearer ' }))).toEqual({ kind: 'malformed', reason: 'empty' })
  })

  test('authorizationToken wins over requestHeaders (AppSync caches the answer under it)', () => {
    const event = appsyncAuthorizerEvent({ token: 'eyJ.a.b', requestHeaders: { authorization: 'Bearer other' } })
    expect(read(event)).toMatchObject({ kind: 'token', token: 'eyJ.a.b' })
  })

  test("a REST TOKEN event still needs the scheme; other headers are not read from AppSync's requestHeaders", () => {
    expect(read(authorizerTokenEvent({ token: 'eyJ.a.b' }))).toEqual({ kind: 'missing' })
    expect(compileTokenSource({ header: 'x-token', scheme: null })(appsyncAuthorizerEvent({ token: 'eyJ.a.b' }))).toEqual({ kind: 'missing' })
  })

  test('with DPoP accepted: one word other than the scheme is still the token itself, `DPoP <token>` a DPoP token', () => {
    const withDpop = compileHeaderSource({ header: 'Authorization', scheme: 'Bearer' }, true)
    expect(withDpop(appsyncAuthorizerEvent({ token: 'DPoP' }))).toEqual({ kind: 'token', token: 'DPoP', presentedAs: 'bearer' })
    expect(withDpop(appsyncAuthorizerEvent({ token: 'dpop  eyJ.a.b ' }))).toEqual({ kind: 'token', token: 'eyJ.a.b', presentedAs: 'dpop' })
    expect(withDpop(appsyncAuthorizerEvent({ token: ' bearer ' }))).toEqual({ kind: 'malformed', reason: 'empty' })
    expect(withDpop(authorizerTokenEvent({ token: 'DPoP' }))).toEqual({ kind: 'malformed', reason: 'empty' })
  })

  test('a scheme-less source reads the value as it is', () => {
    expect(compileTokenSource({ header: 'Authorization', scheme: null })(appsyncAuthorizerEvent({ token: 'eyJ.a.b' }))).toMatchObject({
      kind: 'token',
      token: 'eyJ.a.b',
    })
  })
})
