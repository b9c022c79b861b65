// Client certificates for the mutual-TLS tests: self-signed EC P-256 certificates made by
// openssl, with their RFC 8705 thumbprint (`x5t#S256`) computed from the DER openssl writes, so
// the value a bound token carries does not come from the code under test.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A client certificate as a test needs it. */
export interface TestCertificate {
  /** The certificate, PEM, as API Gateway passes it (`clientCertPem`). */
  pem: string
  /** Its DER bytes, as openssl writes them. */
  der: Buffer
  /** base64url(SHA-256(DER)): the `cnf["x5t#S256"]` of a token bound to it. */
  thumbprint: string
}

/** A self-signed certificate whose subject is `CN=<name>`, valid for two days. */
export function selfSignedCertificate(name: string): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'mtls-'))
  try {
    const certFile = join(dir, 'cert.pem')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        certFile,
        '-subj',
        `/CN=${name}`,
        '-days',
        '2',
      ],
      { stdio: 'pipe' },
    )
    const der = execFileSync('openssl', ['x509', '-in', certFile, '-outform', 'DER'])
    return { pem: readFileSync(certFile, 'utf8'), der, thumbprint: createHash('sha256').update(der).digest('base64url') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
