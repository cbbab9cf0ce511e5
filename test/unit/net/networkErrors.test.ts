/**
 * The one classifier of network and certificate failures, as the auth engine (token endpoints)
 * and the mail engine (IMAP, SMTP, the connection test) use it, and the TLS context they share.
 */
import * as assert from 'node:assert/strict';
import * as tls from 'node:tls';
import { networkError } from '../../../src/auth/errors';
import { explainImapFailure } from '../../../src/mail/mailErrors';
import type { CertificateSummary } from '../../../src/net/certificateChain';
import { classifyNetworkFailure, explainNetworkFailure } from '../../../src/net/networkErrors';
import { httpsAgentFor, secureContextFor, tlsOptions } from '../../../src/net/tlsContext';

/** A chain as the TLS socket would yield it (the summary of each certificate is tested with the connection test). */
const CHAIN: CertificateSummary[] = [
  {
    subject: 'CN=login.example.test, O=Unit test',
    issuer: 'CN=Unit test CA',
    validFrom: '2026-01-01T00:00:00.000Z',
    validTo: '2027-01-01T00:00:00.000Z',
    fingerprint256: 'AA:BB',
    subjectAltNames: ['DNS:login.example.test'],
    serialNumber: '01',
    ca: false,
    selfIssued: false
  }
];

/** Any PEM text: a context is built from it, nothing is verified against it here. */
const CA_PEM = tls.rootCertificates[0]!;

describe('net: one classifier for network and certificate failures', () => {
  it('reads Node and OpenSSL codes, and codes wrapped in a library message', () => {
    const cases: Array<[string | undefined, string, string]> = [
      ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:993', 'network.refused'],
      ['ESOCKET', 'connect ECONNREFUSED 127.0.0.1:587', 'network.refused'],
      ['ENOTFOUND', 'getaddrinfo ENOTFOUND imap.example.invalid', 'network.dns'],
      ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN login.microsoftonline.com', 'network.dns'],
      ['ETIMEDOUT', 'No answer within 15 s (timed out).', 'network.timeout'],
      ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:993', 'network.unreachable'],
      ['ECONNRESET', 'socket hang up', 'network.dropped'],
      ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', 'tls.untrusted'],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'tls.untrusted'],
      ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'unable to get local issuer certificate', 'tls.untrusted'],
      ['CERT_HAS_EXPIRED', 'certificate has expired', 'tls.expired'],
      ['CERT_NOT_YET_VALID', 'certificate is not yet valid', 'tls.not_yet_valid'],
      ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", 'tls.hostname'],
      ['ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number', 'tls.not_tls'],
      ['ERR_SSL_UNSUPPORTED_PROTOCOL', 'unsupported protocol', 'tls.protocol']
    ];
    for (const [code, message, expected] of cases) assert.equal(classifyNetworkFailure(code, message), expected, `${code} ${message}`);
    assert.equal(classifyNetworkFailure(undefined, 'AUTHENTICATE failed'), undefined);
    assert.equal(classifyNetworkFailure('EPROTO', 'Unexpected continuation'), undefined);
  });

  it('never reads a refused connection as a TLS problem, nor an expired or misnamed certificate as an untrusted one', () => {
    assert.equal(classifyNetworkFailure(undefined, 'connect ECONNREFUSED, certificate check skipped'), 'network.refused');
    const expired = explainNetworkFailure({ code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' }, { name: 'the IMAP server' });
    assert.doesNotMatch(expired?.nextStep ?? '', /trustedCaCertificates/);
    const untrusted = explainNetworkFailure({ code: 'SELF_SIGNED_CERT_IN_CHAIN' }, { name: 'login.example.test' });
    assert.match(untrusted?.nextStep ?? '', /m365mail\.trustedCaCertificates/);
    assert.match(untrusted?.message ?? '', /^The certificate of login\.example\.test is not trusted \(SELF_SIGNED_CERT_IN_CHAIN\)\.$/);
  });

  it('gives auth and mail the same codes, each with its own words for the other end and its next step', () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND login.example.invalid'), { code: 'ENOTFOUND' });
    const auth = networkError('https://login.example.invalid/token', failure);
    const mail = explainImapFailure({ code: failure.code, message: failure.message });
    assert.equal(auth.code, 'network.dns');
    assert.equal(mail.code, 'network.dns');
    assert.match(auth.message, /login\.example\.invalid/);
    assert.match(mail.message, /IMAP server/);
    assert.match(auth.options.nextStep ?? '', /endpoint URL/);
    assert.match(mail.options.nextStep ?? '', /outlook\.office365\.com/);
  });

  it('names the chain a token endpoint presented in an untrusted-certificate error, and only there', () => {
    const chain = CHAIN;
    const untrusted = networkError(
      'https://login.example.test/token',
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      chain
    );
    assert.equal(untrusted.code, 'tls.untrusted');
    assert.match(
      untrusted.message,
      /Chain: subject: CN=login\.example\.test, O=Unit test \| issuer: CN=Unit test CA \| valid 2026-01-01T00:00:00\.000Z – 2027-01-01T00:00:00\.000Z \| SHA-256 AA:BB/
    );
    const refused = networkError('https://login.example.test/token', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), chain);
    assert.doesNotMatch(refused.message, /Chain:/);
    const other = networkError('https://login.example.test/token', new Error('something else'));
    assert.equal(other.code, 'network.unreachable');
  });
});

describe('net: one TLS context and HTTPS agent per list of CAs', () => {
  it('builds each once and shares it; verification stays on', () => {
    const extra = [CA_PEM];
    assert.equal(secureContextFor(extra), secureContextFor([CA_PEM]));
    assert.notEqual(secureContextFor(extra), secureContextFor([]));
    assert.equal(httpsAgentFor(extra), httpsAgentFor([CA_PEM]));
    assert.notEqual(httpsAgentFor(extra), httpsAgentFor([]));
    assert.equal(httpsAgentFor(extra).options.secureContext, secureContextFor(extra));
    assert.equal(tlsOptions(extra, 'mail.example.test').secureContext, secureContextFor(extra));
    for (const options of [tlsOptions(extra), tlsOptions([]), httpsAgentFor(extra).options]) {
      assert.notEqual((options as { rejectUnauthorized?: boolean }).rejectUnauthorized, false);
    }
  });
});
