/**
 * The deployed entry points of the orders service, one per function (handler `lambda.listOrders`,
 * `lambda.deleteOrder`, …). Unlike `handler.ts`, this module does its work at import, on purpose:
 * Lambda imports it during the cold start, so the options are checked and the issuer's keys start
 * loading before the first request.
 */
import { createOrdersService } from './handler.js'

const issuer = process.env.ISSUER
if (!issuer) throw new TypeError('lambda: set the ISSUER environment variable to the token issuer URL')

export const { listOrders, deleteOrder, importOrders, reportsAuthorizer, reports } = createOrdersService(issuer)
