/**
 * Cross-site request forgery on cookie sessions: core's `crossSiteRequest` decides and
 * `crossSiteDenial` is the 403 it becomes.
 */
import { crossSiteDenial, crossSiteRequest } from '@middy-auth/core/internal'
import { packageName } from './errors.js'

/**
 * Throws 403 `access_denied` for a request that may change something (any method but GET, HEAD
 * and OPTIONS; every method with `everyMethod`, for a sign-out) that a browser says comes from
 * another site (core's `crossSiteRequest`).
 */
export const checkSameOrigin = (event: unknown, allowedOrigins: ReadonlySet<string>, options?: { everyMethod?: boolean }): void => {
  const refused = crossSiteRequest(event, allowedOrigins, options)
  if (refused) throw crossSiteDenial(packageName, refused)
}
