/** The package every error of jwt-verify names in its `cause`: one string for every module (and one copy in a bundle). */
export const packageName = '@middy-auth/jwt-verify'

/**
 * The mark of this package's extensions (core's `Extension.mark`): raise its number with any
 * change of an extension's code that a lean entry of another version would call wrongly (a
 * function added, removed, renamed, or taking other arguments). test/extension-marks.test.ts
 * records the shapes each mark stands for.
 */
export const extensionMark = `${packageName} extensions v2`
