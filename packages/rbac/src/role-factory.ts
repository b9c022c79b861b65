/**
 * The mark of a role factory (`cognitoRoles`, …), so that `rolesFrom: cognitoRoles` (the factory,
 * not called) is a TypeError at cold start instead of a role reader that reads nothing (or
 * throws) on every request, which would refuse every caller without saying why. A mark on the
 * factory, not a list of the factories: the resolver then imports none of them. A registered
 * symbol (`Symbol.for`), so that a factory of another copy of rbac in the same bundle (two
 * versions installed) is recognized too.
 */

const factoryCall = Symbol.for('@middy-auth/rbac role factory')

/** Marks `factory` as a role factory, called as `call` (`'cognitoRoles()'`); returns it. */
export const markRoleFactory = <F extends (...args: never[]) => unknown>(factory: F, call: string): F => Object.assign(factory, { [factoryCall]: call })

/** How to call `value` when it is a role factory itself; `undefined` for anything else. */
export const roleFactoryCall = (value: unknown): string | undefined =>
  typeof value === 'function' ? (value as { [factoryCall]?: string })[factoryCall] : undefined
