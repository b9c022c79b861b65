import iamContext, { type IamAuthContext, type IamContextOptions } from '../src/index.js'
import { protect as protectWith } from '../../../test/support/protect.js'

export { outcome, type Response } from '../../../test/support/protect.js'

/**
 * A real handler behind iamContext (the shared harness: error handler last); records the
 * `context.auth` each call of the handler saw, and the `AuthError` of each denial.
 */
export const protect = (options?: IamContextOptions) => protectWith<IamAuthContext>([iamContext(options)])
