export { generateKeyPair, jwksOf } from './keys.js'
export type { GenerateKeyPairOptions, TestAlgorithm, TestKeyPair, TestPublicJwk } from './keys.js'
export { defaultKeyPair, signToken, tamper, unsignedToken } from './sign.js'
export type { SignTokenOptions } from './sign.js'
export { createTestIssuer } from './issuer.js'
export type { TestIssuer, TestIssuerFailure, TestIssuerOptions, TestIssuerRequests } from './issuer.js'
export {
  albEvent,
  appsyncAuthorizerEvent,
  authorizerRequestEvent,
  authorizerTokenEvent,
  functionUrlEvent,
  httpApiEvent,
  httpAuthorizerEventV1,
  httpAuthorizerEventV2,
  restEvent,
  websocketAuthorizerEvent,
  websocketConnectEvent,
  websocketMessageEvent,
} from './events.js'
export type {
  AlbEventOptions,
  AppSyncAuthorizerEvent,
  AppSyncAuthorizerEventOptions,
  AuthorizerRequestEventOptions,
  AuthorizerTokenEventOptions,
  ClientCertOption,
  EventOptions,
  FunctionUrlEventOptions,
  HttpApiAuthorizerContext,
  HttpApiAuthorizerOption,
  HttpApiEvent,
  HttpApiEventOptions,
  HttpAuthorizerEventV1,
  HttpAuthorizerEventV1Options,
  HttpAuthorizerEventV2Options,
  IamAuthorizerIdentity,
  LambdaAuthorizerOption,
  RestAuthorizerOption,
  RestEventOptions,
  WebSocketAuthorizerEvent,
  WebSocketAuthorizerEventOptions,
  WebSocketConnectEvent,
  WebSocketConnectEventOptions,
  WebSocketMessageEvent,
  WebSocketMessageEventOptions,
  WebSocketRequestContext,
} from './events.js'
export { lambdaContext } from './context.js'
