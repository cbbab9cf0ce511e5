/**
 * The one classifier of failures below the application protocol (DNS, TCP, TLS and certificate
 * verification) for the auth engine (token endpoints over HTTPS) and the mail engine (IMAP, SMTP
 * and the connection test). It reads Node's and OpenSSL's error codes and, because libraries wrap
 * them (nodemailer's `ESOCKET` with "connect ECONNREFUSED …", imapflow's own codes), the message
 * text too. Each engine names the other end and may replace a next step with its own; the codes and
 * the certificate advice are the same everywhere. Node built-ins and `common/` only.
 */

export type NetworkFailureCode =
  | 'network.refused'
  | 'network.dns'
  | 'network.timeout'
  | 'network.unreachable'
  | 'network.dropped'
  | 'tls.expired'
  | 'tls.not_yet_valid'
  | 'tls.hostname'
  | 'tls.not_tls'
  | 'tls.protocol'
  | 'tls.untrusted';

interface Rule {
  code: NetworkFailureCode;
  test: RegExp;
}

/**
 * Most specific first. The network rules come before the certificate ones so that a refused
 * connection is never read as a TLS problem; among certificate failures an expired or misnamed
 * certificate comes before "untrusted", as trusting another CA fixes neither.
 */
const RULES: readonly Rule[] = [
  { code: 'network.refused', test: /ECONNREFUSED/ },
  { code: 'network.dns', test: /ENOTFOUND|EAI_AGAIN|ENODATA/ },
  { code: 'network.timeout', test: /ETIMEDOUT|timed? ?out/i },
  { code: 'network.unreachable', test: /EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL/ },
  { code: 'tls.expired', test: /CERT_HAS_EXPIRED|certificate has expired/i },
  { code: 'tls.not_yet_valid', test: /CERT_NOT_YET_VALID|not yet valid/i },
  { code: 'tls.hostname', test: /ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH|does not match certificate|altnames/i },
  { code: 'tls.not_tls', test: /WRONG_VERSION_NUMBER|wrong version number|packet length too long|unknown protocol/i },
  { code: 'tls.protocol', test: /UNSUPPORTED_PROTOCOL|unsupported protocol|no protocols available|VERSION_TOO_LOW/i },
  { code: 'tls.untrusted', test: /self[- ]signed|SELF_SIGNED|unable to verify|UNABLE_TO_(GET_ISSUER|VERIFY)|CERT_|certificate/i },
  { code: 'network.dropped', test: /ECONNRESET|EPIPE|ECONNABORTED|socket hang up|unexpected close|closed/i }
];

/** The kind of a failure below the protocol, or undefined when it is not one (a protocol reply, a bug). */
export function classifyNetworkFailure(code: string | undefined, message: string | undefined): NetworkFailureCode | undefined {
  const text = `${code ?? ''} ${message ?? ''}`;
  return RULES.find((rule) => rule.test.test(text))?.code;
}

export function isCertificateFailure(code: string): boolean {
  return code.startsWith('tls.');
}

export interface NetworkTarget {
  /** How messages name the other end: "the IMAP server", "login.microsoftonline.com". */
  name: string;
  /** Next steps that fit this engine better than the shared ones (a port to check, a URL to edit). */
  nextSteps?: Partial<Record<NetworkFailureCode, string>>;
}

export interface NetworkExplanation {
  code: NetworkFailureCode;
  message: string;
  nextStep: string;
}

const TRUST_A_CA =
  'If a proxy or a private CA signs it, add that CA\'s PEM file to the "m365mail.trustedCaCertificates" setting; verification is never switched off.';

const NEXT_STEPS: Record<NetworkFailureCode, string> = {
  'network.refused': 'Check the host and port.',
  'network.dns': "Check the host name and this machine's DNS and proxy settings.",
  'network.timeout': 'A firewall or proxy may block the port; check the network from this machine.',
  'network.unreachable': "Check the machine's network, VPN and proxy settings.",
  'network.dropped': 'Try again.',
  'tls.expired':
    "Check this machine's date and time; if they are right, the server (or a TLS-inspecting proxy in between) presents an expired certificate and its admin must renew it.",
  'tls.not_yet_valid': "Check this machine's date and time.",
  'tls.hostname':
    'Use a host name the certificate lists among its subject alternative names (for example outlook.office365.com rather than an IP address or an alias).',
  'tls.not_tls': 'The port expects plain text first: use STARTTLS for port 587 and implicit TLS for 993 and 465.',
  'tls.protocol': 'The server (or a proxy in between) must offer TLS 1.2 or 1.3.',
  'tls.untrusted': TRUST_A_CA
};

function sentence(name: string, code: NetworkFailureCode, detail: string): string {
  switch (code) {
    case 'network.refused':
      return `Nothing is listening at the address and port of ${name} (connection refused).`;
    case 'network.dns':
      return `The host name of ${name} cannot be resolved.`;
    case 'network.timeout':
      return `No answer in time from ${name}.`;
    case 'network.unreachable':
      return `The network of ${name} cannot be reached from this machine.`;
    case 'network.dropped':
      return `The connection to ${name} dropped.`;
    case 'tls.expired':
      return `The certificate of ${name} has expired (${detail}).`;
    case 'tls.not_yet_valid':
      return `The certificate of ${name} is not valid yet (${detail}).`;
    case 'tls.hostname':
      return `The certificate of ${name} does not name the host that was dialled (${detail}).`;
    case 'tls.not_tls':
      return `${name} did not answer with TLS (${detail}).`.replace(/^./, (c) => c.toUpperCase());
    case 'tls.protocol':
      return `${name} offers no TLS version this client accepts (TLS 1.2 or newer) (${detail}).`.replace(/^./, (c) => c.toUpperCase());
    case 'tls.untrusted':
      return `The certificate of ${name} is not trusted (${detail}).`;
  }
}

/** Explains a failure below the protocol for `target`, or undefined when it is not one. */
export function explainNetworkFailure(failure: { code?: string; message?: string }, target: NetworkTarget): NetworkExplanation | undefined {
  const code = classifyNetworkFailure(failure.code, failure.message);
  if (!code) return undefined;
  const detail = failure.message || failure.code || code;
  return { code, message: sentence(target.name, code, detail), nextStep: target.nextSteps?.[code] ?? NEXT_STEPS[code] };
}
