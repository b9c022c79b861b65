import oauthScope, { type OAuthScopeOptions } from '../src/index.js'
import { protect as protectWith, type Middleware, type Response } from '../../../test/support/protect.js'

export { outcome, withIdentity, type Response } from '../../../test/support/protect.js'

/**
 * A real handler protected by oauthScope (after the given middlewares, jwt-verify say; the
 * shared harness); records what the handler saw, so a test can tell it was never called.
 */
export const protect = (options: OAuthScopeOptions, before: Middleware[] = []) => protectWith([...before, oauthScope(options)])

/** The `WWW-Authenticate` header of a response, if any. */
export const challenge = (response: Response) => response.headers['WWW-Authenticate']

/** Everything a client sees of a response but its status. */
export const visible = (response: Response) => response.body + JSON.stringify(response.headers)
