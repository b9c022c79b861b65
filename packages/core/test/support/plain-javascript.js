// Plain JavaScript, compiled by nobody: how an application without TypeScript denies from a handler.
import { AuthError } from '../../src/index.ts'

export const denials = () => [new AuthError('access_denied'), new AuthError('invalid_token', {}), new AuthError('missing_token', { realm: 'orders' })]
