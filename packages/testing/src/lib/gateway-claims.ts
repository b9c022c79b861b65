import { javaDate } from './event-parts.js'

/**
 * The HTTP API JWT authorizer's rendering of claims: strings as they are, numbers and booleans
 * as text (`"1718722804"`, `"true"`), arrays as `"[a b]"`. Objects are rendered as JSON (an
 * assumption: no capture of a nested claim was available).
 */
export function httpApiClaims(claims: Record<string, unknown>): Record<string, string> {
  return mapValues(claims, (value) => (Array.isArray(value) ? `[${value.map(text).join(' ')}]` : text(value)))
}

/**
 * The REST Cognito user pool authorizer's rendering of claims: `exp` and `iat` as Java dates
 * (`"Tue Jun 18 15:00:04 UTC 2024"`), other numbers and booleans as text, arrays comma-joined
 * (`"admin,editor"`).
 */
export function restCognitoClaims(claims: Record<string, unknown>): Record<string, string> {
  return mapValues(claims, (value, name) => {
    if ((name === 'exp' || name === 'iat') && typeof value === 'number') return javaDate(value)
    return Array.isArray(value) ? value.map(text).join(',') : text(value)
  })
}

/**
 * A REST or WebSocket Lambda authorizer's context as the integration sees it: every value
 * turned into a string (`1` → `"1"`, `true` → `"true"`), `null` kept.
 *
 * @throws TypeError for arrays and objects, which API Gateway refuses in an authorizer context.
 */
export function lambdaAuthorizerContext(context: Record<string, unknown>): Record<string, string | null> {
  return mapValues(context, (value, name) => {
    if (value === null) return null
    if (typeof value === 'object') {
      throw new TypeError(`authorizer context "${name}": API Gateway only accepts string, number and boolean values`)
    }
    return text(value)
  })
}

function text(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'object' && value !== null) return JSON.stringify(value)
  return String(value)
}

function mapValues<T>(record: Record<string, unknown>, map: (value: unknown, name: string) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([name, value]) => [name, map(value, name)]))
}
