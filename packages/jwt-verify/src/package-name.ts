/** The package every error of jwt-verify names in its `cause`: one string for every module (and one copy in a bundle). */
export const packageName = '@middy-auth/jwt-verify'
