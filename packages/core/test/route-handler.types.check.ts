/**
 * Type tests, compiled by `tsc -p tsconfig.test.json` (part of `npm test`): handlers under
 * @middy/http-router read `context.auth` typed, without casts.
 */
import middy from '@middy/core'
import httpRouterHandler from '@middy/http-router'
import type { ALBEvent, ALBResult, APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda'
import { authRoutes, type AuthRouteHandler } from '@middy-auth/core'
import jwtVerify, { authRoutes as reexported } from '@middy-auth/jwt-verify'

interface OrdersClaims {
  email: string
  groups?: string[]
}

const issuers = [{ issuer: 'https://login.example.com', audience: 'orders' }]

// Types given on authRoutes: the handlers' parameters are inferred from them.
export const typed = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
  .use(jwtVerify<OrdersClaims>({ issuers }))
  .handler(
    httpRouterHandler(
      authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2, OrdersClaims>([
        {
          method: 'GET',
          path: '/orders',
          handler: async (event, context) => {
            const email: string = context.auth.claims.email
            const groups: string[] | undefined = context.auth.claims.groups
            const path: string = event.rawPath
            const remaining: number = context.getRemainingTimeInMillis()
            // @ts-expect-error claims are the given type, not an open record
            const missing = context.auth.claims.nickname
            return { statusCode: 200, body: [email, groups, path, remaining, missing].join() }
          },
        },
      ]),
    ),
  )

// Types given on httpRouterHandler: authRoutes infers them from there (claims default to a record).
export const inferred = middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>().handler(
  httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>(
    reexported([
      {
        method: 'DELETE',
        path: '/orders/{id}',
        handler: async (event, context) => ({ statusCode: 204, body: `${context.auth.subject} ${event.pathParameters?.id}` }),
      },
    ]),
  ),
)

// A handler written apart, for an ALB.
const health: AuthRouteHandler<ALBEvent, ALBResult> = async (event, context) => ({ statusCode: 200, body: `${event.path} ${context.auth.subject}` })
export const alb = httpRouterHandler<ALBEvent, ALBResult>(authRoutes([{ method: 'ANY', path: '/health', handler: health }]))

authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2>([
  // @ts-expect-error a method the router does not know
  { method: 'FETCH', path: '/orders', handler: async () => ({ statusCode: 200 }) },
])

authRoutes<APIGatewayProxyEventV2, APIGatewayProxyResultV2>([
  // @ts-expect-error the handler returns what the route's result type says
  { method: 'GET', path: '/orders', handler: async () => 42 },
])
