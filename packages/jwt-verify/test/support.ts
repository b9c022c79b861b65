import type { AuthContext } from '@middy-auth/core'
import jwtVerify, { type JwtVerifyOptions } from '../src/index.js'
import { protect as protectWith } from '../../../test/support/protect.js'

export { outcome, type Response } from '../../../test/support/protect.js'

/** A real handler protected by jwtVerify (the shared harness); records what the handler saw. */
export const protect = (options: JwtVerifyOptions) => protectWith<AuthContext | undefined>([jwtVerify(options)])

/** An HTTP API event carrying an Authorization header. */
export const bearer = (token: string) => ({ version: '2.0', headers: { authorization: `Bearer ${token}` }, requestContext: { http: { method: 'GET' } } })
