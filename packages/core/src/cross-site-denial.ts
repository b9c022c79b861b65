/**
 * The 403 of a cookie credential on a cross-site request, apart from the check that decides it
 * (./same-origin.ts): a middleware that handles every token lookup names it, but only a cookie
 * token source ever produces one.
 */
import { AuthError } from './auth-error.js'

/**
 * The 403 `access_denied` of a request core's `crossSiteRequest` refused, as every package of the
 * suite throws it (the reason and the origin seen stay in `cause.data`, for logs).
 *
 * @example
 * ```ts
 * const refused = crossSiteRequest(event, new Set())
 * if (refused) throw crossSiteDenial('my-package', refused)
 * ```
 */
export const crossSiteDenial = (packageName: string, refused: { reason: string; seen: string }): AuthError =>
  new AuthError('access_denied', { package: packageName, description: 'Cross-site request refused', data: { reason: refused.reason, seen: refused.seen } })
