// Builders of Lambda events, one file per payload family in ./events/; this module gathers
// them. Each builder returns the keys a real event of its kind has (see the captures in
// test/fixtures/aws-events/), with headers, cookies and the query where that kind puts them.

export type { ClientCertOption, EventOptions, IamAuthorizerIdentity, LambdaAuthorizerOption } from './events/options.js'
export { functionUrlEvent, httpApiEvent, httpAuthorizerEventV2 } from './events/http-api.js'
export type {
  FunctionUrlEventOptions,
  HttpApiAuthorizerContext,
  HttpApiAuthorizerOption,
  HttpApiEvent,
  HttpApiEventOptions,
  HttpAuthorizerEventV2Options,
} from './events/http-api.js'
export { authorizerRequestEvent, authorizerTokenEvent, httpAuthorizerEventV1, restEvent } from './events/rest.js'
export type {
  AuthorizerRequestEventOptions,
  AuthorizerTokenEventOptions,
  HttpAuthorizerEventV1,
  HttpAuthorizerEventV1Options,
  RestAuthorizerOption,
  RestEventOptions,
} from './events/rest.js'
export { albEvent } from './events/alb.js'
export type { AlbEventOptions } from './events/alb.js'
export { websocketAuthorizerEvent, websocketConnectEvent, websocketMessageEvent } from './events/websocket.js'
export type {
  WebSocketAuthorizerEvent,
  WebSocketAuthorizerEventOptions,
  WebSocketConnectEvent,
  WebSocketConnectEventOptions,
  WebSocketMessageEvent,
  WebSocketMessageEventOptions,
  WebSocketRequestContext,
} from './events/websocket.js'
export { appsyncAuthorizerEvent } from './events/appsync.js'
export type { AppSyncAuthorizerEvent, AppSyncAuthorizerEventOptions } from './events/appsync.js'
