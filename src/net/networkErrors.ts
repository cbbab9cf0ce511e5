/**
 * The one classifier of failures below the application protocol (DNS, TCP, TLS and certificate
 * verification) for the auth engine (token endpoints over HTTPS) and the mail engine (IMAP, SMTP
 * and the connection test). It reads Node's and OpenSSL's error codes and, because libraries wrap
 * them (nodemailer's `ESOCKET` with "connect ECONNREFUSED …", imapflow's own codes), the message
 * text too. Each engine names the other end and may replace a next step with its own; the codes and
 * the certificate advice are the same everywhere. Node built-ins and `common/` only.
 */
import * as l10n from '@vscode/l10n';

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

/** Words are looked up when a failure is explained, in the display language of that moment. */
const NEXT_STEPS: Record<NetworkFailureCode, () => string> = {
  'network.refused': () => l10n.t('Check the host and port.'),
  'network.dns': () => l10n.t("Check the host name and this machine's DNS and proxy settings."),
  'network.timeout': () => l10n.t('A firewall or proxy may block the port; check the network from this machine.'),
  'network.unreachable': () => l10n.t("Check the machine's network, VPN and proxy settings."),
  'network.dropped': () => l10n.t('Try again.'),
  'tls.expired': () =>
    l10n.t(
      "Check this machine's date and time; if they are right, the server (or a TLS-inspecting proxy in between) presents an expired certificate and its admin must renew it."
    ),
  'tls.not_yet_valid': () => l10n.t("Check this machine's date and time."),
  'tls.hostname': () =>
    l10n.t(
      'Use a host name the certificate lists among its subject alternative names (for example outlook.office365.com rather than an IP address or an alias).'
    ),
  'tls.not_tls': () => l10n.t('The port expects plain text first: use STARTTLS for port 587 and implicit TLS for 993 and 465.'),
  'tls.protocol': () => l10n.t('The server (or a proxy in between) must offer TLS 1.2 or 1.3.'),
  'tls.untrusted': () =>
    l10n.t({
      message: 'If a proxy or a private CA signs it, add that CA\'s PEM file to the "{0}" setting; verification is never switched off.',
      args: ['m365mail.trustedCaCertificates'],
      comment: ['{0} is the name of a setting.']
    })
};

function sentence(name: string, code: NetworkFailureCode, detail: string): string {
  switch (code) {
    case 'network.refused':
      return l10n.t({
        message: 'Nothing is listening at the address and port of {0} (connection refused).',
        args: [name],
        comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.']
      });
    case 'network.dns':
      return l10n.t({
        message: 'The host name of {0} cannot be resolved.',
        args: [name],
        comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.']
      });
    case 'network.timeout':
      return l10n.t({ message: 'No answer in time from {0}.', args: [name], comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.'] });
    case 'network.unreachable':
      return l10n.t({
        message: 'The network of {0} cannot be reached from this machine.',
        args: [name],
        comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.']
      });
    case 'network.dropped':
      return l10n.t({ message: 'The connection to {0} dropped.', args: [name], comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.'] });
    case 'tls.expired':
      return l10n.t({
        message: 'The certificate of {0} has expired ({1}).',
        args: [name, detail],
        comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.']
      });
    case 'tls.not_yet_valid':
      return l10n.t({
        message: 'The certificate of {0} is not valid yet ({1}).',
        args: [name, detail],
        comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.']
      });
    case 'tls.hostname':
      return l10n.t({
        message: 'The certificate of {0} does not name the host that was dialled ({1}).',
        args: [name, detail],
        comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.']
      });
    case 'tls.not_tls':
      return l10n
        .t({ message: '{0} did not answer with TLS ({1}).', args: [name, detail], comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.'] })
        .replace(/^./, (c) => c.toUpperCase());
    case 'tls.protocol':
      return l10n
        .t({
          message: '{0} offers no TLS version this client accepts (TLS 1.2 or newer) ({1}).',
          args: [name, detail],
          comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.']
        })
        .replace(/^./, (c) => c.toUpperCase());
    case 'tls.untrusted':
      return l10n.t({
        message: 'The certificate of {0} is not trusted ({1}).',
        args: [name, detail],
        comment: ['{0}: the other end, e.g. "the IMAP server" or a host name.']
      });
  }
}

/** Explains a failure below the protocol for `target`, or undefined when it is not one. */
export function explainNetworkFailure(failure: { code?: string; message?: string }, target: NetworkTarget): NetworkExplanation | undefined {
  const code = classifyNetworkFailure(failure.code, failure.message);
  if (!code) return undefined;
  const detail = failure.message || failure.code || code;
  return { code, message: sentence(target.name, code, detail), nextStep: target.nextSteps?.[code] ?? NEXT_STEPS[code]() };
}
