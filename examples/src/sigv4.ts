/**
 * AWS Signature Version 4 for the local gateway's `AWS_IAM` routes: the gateway checks each
 * request's signature against local credentials as API Gateway checks it against IAM, and the
 * demo signs its requests as an AWS SDK would. Both sides use `@smithy/signature-v4`, the signer
 * of the AWS SDK for JavaScript, with node's SHA-256: the canonical request is never written by
 * hand here.
 */
import { createHash, createHmac, timingSafeEqual, type BinaryLike, type Hash, type Hmac } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'

/** A caller the local gateway knows: its keys, and who IAM would say it is. */
export interface LocalCredentials {
  accessKeyId: string
  secretAccessKey: string
  /** Temporary credentials (`ASIA…`) come with a session token, sent as `X-Amz-Security-Token`. */
  sessionToken?: string
  /** The caller's ARN: `arn:aws:sts::123456789012:assumed-role/OrdersImport/nightly`. */
  arn: string
  /** IAM's unique id (`aws:userid`): `AROA…:nightly` for a role session, `AIDA…` for a user. */
  principalId: string
  principalOrgId?: string
}

/** The service name API Gateway's signatures are scoped to. */
export const EXECUTE_API = 'execute-api'

/** How far `X-Amz-Date` may be from the gateway's clock, as AWS allows: 5 minutes. */
const MAX_SKEW_MS = 5 * 60 * 1000

/** What the signer hashes: text or bytes. */
type SourceData = string | ArrayBuffer | ArrayBufferView

const bytes = (data: SourceData): BinaryLike =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data)

/** SHA-256 (or HMAC-SHA-256 with a secret) from `node:crypto`, in the shape the signer takes. */
class NodeSha256 {
  private readonly hash: Hash | Hmac
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret))
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data))
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()))
  }
}

const signerFor = (credentials: LocalCredentials, region: string) =>
  new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    },
    region,
    service: EXECUTE_API,
    sha256: NodeSha256,
    // `X-Amz-Content-SHA256` is an S3 header; execute-api signs the payload's hash without sending it.
    applyChecksum: false,
  })

/** `a=1&b=2&b=3` as the signer takes a query: repeats as lists. */
const queryRecord = (rawQuery: string): Record<string, string | string[]> => {
  const query: Record<string, string | string[]> = {}
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    const previous = query[name]
    query[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value]
  }
  return query
}

/** What a request is made of, as the signature covers it. */
export interface SignableRequest {
  method: string
  /** The path as sent, without the query. */
  path: string
  /** The query as sent, without `?`. */
  rawQuery: string
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>
  body: Buffer
}

/**
 * Signs a request for `execute-api` in `region`, as an AWS SDK client does; returns the headers
 * to send (the request's, plus `authorization`, `x-amz-date` and, for temporary credentials,
 * `x-amz-security-token`).
 *
 * @example
 * ```ts
 * const headers = await signRequest(credentials, 'eu-west-1', { method: 'GET', path: '/orders', rawQuery: '', headers: { host }, body: Buffer.alloc(0) })
 * ```
 */
export const signRequest = async (
  credentials: LocalCredentials,
  region: string,
  request: SignableRequest,
  now = new Date(),
): Promise<Record<string, string>> => {
  const hostname = request.headers.host ?? ''
  const signed = await signerFor(credentials, region).sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname,
      path: request.path,
      query: queryRecord(request.rawQuery),
      headers: { ...request.headers },
      ...(request.body.length > 0 ? { body: request.body } : {}),
    },
    { signingDate: now },
  )
  return signed.headers as Record<string, string>
}

/** The outcome of a check: the caller, or the message API Gateway answers with its 403. */
export type SignatureCheck = { ok: true; caller: LocalCredentials } | { ok: false; message: string }

const refuse = (message: string): SignatureCheck => ({ ok: false, message })

/** `AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>` */
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 +Credential=([A-Z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, *SignedHeaders=([a-z0-9-]+(?:;[a-z0-9-]+)*), *Signature=([0-9a-f]{64})$/

/** `20240617T153941Z` */
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

const parseAmzDate = (value: string | undefined): Date | undefined => {
  const match = AMZ_DATE.exec(value ?? '')
  if (!match) return undefined
  const [, year, month, day, hours, minutes, seconds] = match.map(Number) as number[]
  return new Date(Date.UTC(year!, month! - 1, day!, hours!, minutes!, seconds!))
}

/**
 * Checks a request's SigV4 `Authorization` header as API Gateway does for an `AWS_IAM` route:
 * a known access key, a scope of this region and `execute-api`, a date within 5 minutes, the
 * session token of temporary credentials, `host` among the signed headers, and the signature
 * itself, recomputed with the caller's secret over the headers the client says it signed.
 * Anything else is refused with the message API Gateway gives.
 *
 * @example
 * ```ts
 * const check = await verifySignature(request, { credentials: [importer], region: 'eu-west-1', now: Date.now() })
 * if (!check.ok) return forbidden(check.message)
 * ```
 */
export const verifySignature = async (
  request: SignableRequest,
  options: { credentials: readonly LocalCredentials[]; region: string; now: number },
): Promise<SignatureCheck> => {
  const authorization = request.headers.authorization
  if (authorization === undefined) return refuse('Missing Authentication Token')
  const match = AUTHORIZATION.exec(authorization)
  if (!match) return refuse('Authorization header requires Credential, SignedHeaders and Signature parameters')
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as string[]
  const caller = options.credentials.find((c) => c.accessKeyId === accessKeyId)
  if (caller === undefined) return refuse('The security token included in the request is invalid.')
  if (region !== options.region) return refuse(`Credential should be scoped to a valid region, not '${region}'.`)
  if (service !== EXECUTE_API) return refuse(`Credential should be scoped to correct service: '${EXECUTE_API}'.`)
  const date = parseAmzDate(request.headers['x-amz-date'])
  if (date === undefined) return refuse('Authorization header requires existence of either a X-Amz-Date or a Date header.')
  if (Math.abs(date.getTime() - options.now) > MAX_SKEW_MS) return refuse('Signature expired: the request time is more than 5 minutes from the server time.')
  if (request.headers['x-amz-date']?.slice(0, 8) !== scopeDate) return refuse('Credential should be scoped to the date of X-Amz-Date.')
  if (caller.sessionToken !== undefined && request.headers['x-amz-security-token'] !== caller.sessionToken) {
    return refuse('The security token included in the request is invalid.')
  }
  const signedHeaders = signedHeaderList!.split(';')
  if (!signedHeaders.includes('host')) return refuse("'Host' must be a signed header.")
  const headers: Record<string, string> = {}
  for (const name of signedHeaders) {
    const value = request.headers[name]
    if (value === undefined) return refuse(`Signed header '${name}' is missing from the request.`)
    headers[name] = value
  }
  const signed = await signerFor(caller, region).sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host!,
      path: request.path,
      query: queryRecord(request.rawQuery),
      headers,
      ...(request.body.length > 0 ? { body: request.body } : {}),
    },
    // Exactly the headers the client signed, whatever the signer would leave out by default.
    { signingDate: date, signableHeaders: new Set(signedHeaders) },
  )
  const expected = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization))?.[1] ?? ''
  const matches = expected.length === 64 && timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))
  return matches
    ? { ok: true, caller }
    : refuse('The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.')
}
