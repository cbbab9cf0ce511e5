/**
 * Explains SMTP and IMAP failures in words an admin can act on. Input is what the protocol
 * libraries report (nodemailer: `responseCode` and `response`; imapflow: `responseText`,
 * `serverResponseCode`, `authenticationFailed`); output is an {@link M365MailError} whose code is the
 * reply's own (`smtp.535 5.7.139`, `imap.NO`, …). No `vscode` import.
 */
import { M365MailError } from '../core/errors';

export interface SmtpFailure {
  /** The reply code, e.g. 535. */
  responseCode?: number;
  /** The server's reply line(s), e.g. "535 5.7.139 Authentication unsuccessful, …". */
  response?: string;
  /** nodemailer's error code: EAUTH, EENVELOPE, ETIMEDOUT, ESOCKET, ECONNECTION, ETLS, … */
  code?: string;
  message?: string;
}

interface Explanation {
  test: (reply: string, code: number | undefined) => boolean;
  message: string;
  nextStep: string;
}

/** The enhanced status codes (RFC 3463) explained below. */
const EXPLAINED_STATUS_CODES = new Set(['5.7.139', '5.7.3', '5.7.57', '5.7.30', '5.7.60']);

// Enhanced status codes (RFC 3463) that Exchange Online uses; most specific first.
const SMTP_EXPLANATIONS: Explanation[] = [
  {
    test: (r) => /5\.7\.139/.test(r),
    message: 'SMTP AUTH is switched off for this mailbox or tenant (535 5.7.139): Exchange Online refused to authenticate before looking at the token.',
    nextStep:
      'An Exchange admin must enable "Authenticated SMTP" for the mailbox (Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false) or for the tenant; it is off by default since January 2020. Alternatively send through Microsoft Graph.'
  },
  {
    test: (r) => /5\.7\.3\b/.test(r),
    message: 'The server refused the OAuth token (535 5.7.3 Authentication unsuccessful).',
    nextStep:
      'Check that the token has the SMTP.Send scope for this cloud ("Show token details": scp must list SMTP.Send, aud must be https://outlook.office.com), that the user name is the mailbox the token belongs to (or a mailbox it may send as), and that SMTP AUTH is enabled for the mailbox.'
  },
  {
    test: (r) => /5\.7\.57/.test(r),
    message: 'The server wants authentication before MAIL FROM (530 5.7.57 Client not authenticated to send mail).',
    nextStep:
      'The session was not authenticated: check that the SMTP server is the submission server (smtp.office365.com:587 with STARTTLS) and that the XOAUTH2 step succeeded.'
  },
  {
    test: (r) => /5\.7\.30/.test(r),
    message: 'Basic authentication is not supported (550 5.7.30).',
    nextStep: 'Use OAuth2 (XOAUTH2) with a token from this credential; the password-based login is disabled.'
  },
  {
    test: (r) => /5\.7\.60|SendAsDenied|not allowed to send as/i.test(r),
    message: 'The user may not send as this sender (5.7.60 SendAsDenied).',
    nextStep: 'Grant the user "Send As" permission on the shared mailbox, or send from the user\'s own address.'
  },
  {
    test: (_r, c) => c === 535 || c === 334,
    message: 'Authentication failed.',
    nextStep: "Check the token's scope (SMTP.Send), the user name, and that SMTP AUTH is enabled for the mailbox."
  },
  {
    test: (_r, c) => c !== undefined && c >= 400 && c < 500,
    message: 'The server deferred the message (a temporary 4xx reply).',
    nextStep: 'Nothing was sent. Try again later; if it persists, the server log or its admin can say why.'
  },
  {
    test: (_r, c) => c !== undefined && c >= 500,
    message: 'The server refused the message (a permanent 5xx reply).',
    nextStep: "Read the server's reply below; fix the recipient, sender or size it names."
  }
];

/**
 * Certificate verification failures, by the OpenSSL/Node code (`SELF_SIGNED_CERT_IN_CHAIN`,
 * `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`, …) or, failing that, the message. Most specific
 * first: an expired or misnamed certificate is not fixed by trusting another CA.
 */
export function explainTlsFailure(code: string | undefined, message: string | undefined, what: string): M365MailError | undefined {
  const text = `${code ?? ''} ${message ?? ''}`;
  if (/CERT_HAS_EXPIRED|certificate has expired/i.test(text)) {
    return new M365MailError('tls.expired', `The ${what} server's certificate has expired (${message ?? code}).`, {
      nextStep:
        "Check this machine's date and time; if they are right, the server (or a TLS-inspecting proxy in between) presents an expired certificate and its admin must renew it."
    });
  }
  if (/CERT_NOT_YET_VALID|not yet valid/i.test(text)) {
    return new M365MailError('tls.not_yet_valid', `The ${what} server's certificate is not valid yet (${message ?? code}).`, {
      nextStep: "Check this machine's date and time."
    });
  }
  if (/ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate|altnames/i.test(text)) {
    return new M365MailError('tls.hostname', `The ${what} server's certificate does not name the host that was dialled (${message ?? code}).`, {
      nextStep:
        'Use a host name the certificate lists among its subject alternative names (for example outlook.office365.com rather than an IP address or an alias).'
    });
  }
  if (/WRONG_VERSION_NUMBER|wrong version number|packet length too long|unknown protocol/i.test(text)) {
    return new M365MailError('tls.not_tls', `The ${what} server did not answer with TLS (${message ?? code}).`, {
      nextStep: 'The port expects plain text first: use STARTTLS for port 587 and implicit TLS for 993 and 465.'
    });
  }
  if (/UNSUPPORTED_PROTOCOL|unsupported protocol|no protocols available|VERSION_TOO_LOW/i.test(text)) {
    return new M365MailError('tls.protocol', `The ${what} server offers no TLS version this client accepts (TLS 1.2 or newer) (${message ?? code}).`, {
      nextStep: 'The server (or a proxy in between) must offer TLS 1.2 or 1.3.'
    });
  }
  if (/self[- ]signed|unable to verify|UNABLE_TO_GET_ISSUER|CERT_|certificate/i.test(text)) {
    return new M365MailError('tls.untrusted', `The ${what} server's certificate is not trusted (${message ?? code}).`, {
      nextStep: 'If a proxy or a private CA signs it, add that CA to "m365mail.trustedCaCertificates"; verification is never switched off.'
    });
  }
  return undefined;
}

/** Network and TLS failures without a protocol reply (connection refused, DNS, timeouts, certificates). */
export function explainNetworkFailure(code: string | undefined, message: string | undefined, what: string): M365MailError | undefined {
  const text = `${code ?? ''} ${message ?? ''}`;
  if (/ECONNREFUSED/.test(text)) {
    return new M365MailError('network.refused', `Nothing is listening at the ${what} server's address and port (connection refused).`, {
      nextStep: 'Check the host and port of the credential.'
    });
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) {
    return new M365MailError('network.dns', `The ${what} host name cannot be resolved.`, {
      nextStep: "Check the host name (for example outlook.office365.com) and the machine's DNS."
    });
  }
  if (/ETIMEDOUT|timed? ?out/i.test(text)) {
    return new M365MailError('network.timeout', `The ${what} server did not answer in time.`, {
      nextStep: 'A firewall may block the port (993, 587); check from this machine with the connectivity test.'
    });
  }
  if (/EHOSTUNREACH|ENETUNREACH/.test(text)) {
    return new M365MailError('network.unreachable', `The ${what} server's network cannot be reached from this machine.`, {
      nextStep: "Check the machine's network, VPN and proxy settings."
    });
  }
  const tls = explainTlsFailure(code, message, what);
  if (tls) return tls;
  // imapflow rejects what was pending on a closed connection with NoConnection ("Connection not
  // available") or EConnectionClosed, and says "Unexpected close" when the server hung up.
  if (/ECONNRESET|EPIPE|NoConnection|EConnectionClosed|not available|unexpected close|socket|closed/i.test(text)) {
    return new M365MailError('network.dropped', `The connection to the ${what} server dropped.`, {
      nextStep: what === 'IMAP' ? 'Refresh to reconnect.' : 'Try again; nothing was sent twice.'
    });
  }
  return undefined;
}

export function explainSmtpFailure(failure: SmtpFailure): M365MailError {
  const reply = (failure.response ?? '').trim();
  if (!failure.responseCode && !reply) {
    return (
      explainNetworkFailure(failure.code, failure.message, 'SMTP') ??
      new M365MailError(`smtp.${failure.code ?? 'error'}`, `SMTP failed: ${failure.message ?? 'unknown error'}.`)
    );
  }
  // A relay may wrap Exchange's status in its own ("535 5.7.8 Error: authentication failed: 5.7.139 …"):
  // the code is the one explained below when there is one, else the first.
  const enhancedCodes = reply.match(/\b[245]\.\d{1,3}\.\d{1,3}\b/g) ?? [];
  const enhanced = enhancedCodes.find((c) => EXPLAINED_STATUS_CODES.has(c)) ?? enhancedCodes[0];
  const code = `smtp.${failure.responseCode ?? ''}${enhanced ? ` ${enhanced}` : ''}`.trim();
  const explanation = SMTP_EXPLANATIONS.find((e) => e.test(reply, failure.responseCode));
  const serverSaid = reply ? ` The server said: "${reply.slice(0, 300)}"` : '';
  return new M365MailError(code, `${explanation?.message ?? 'SMTP failed.'}${serverSaid}`, { nextStep: explanation?.nextStep });
}

export interface ImapFailure {
  responseText?: string;
  /** The tagged status: NO, BAD. */
  responseStatus?: string;
  serverResponseCode?: string;
  authenticationFailed?: boolean;
  code?: string;
  message?: string;
}

export function explainImapFailure(failure: ImapFailure): M365MailError {
  const text = `${failure.responseText ?? ''} ${failure.message ?? ''}`;
  if (/authenticated but not connected/i.test(text)) {
    return new M365MailError('imap.not_connected', 'Signed in, but the mailbox could not be opened ("User is authenticated but not connected").', {
      nextStep:
        'The token lacks the IMAP.AccessAsUser.All scope (or, app-only, IMAP.AccessAsApp with mailbox permission), or the user name is a mailbox this user may not open (a shared mailbox needs Full Access for the user).'
    });
  }
  if (failure.authenticationFailed || /AUTHENTICATE failed|Authentication failed|AUTHENTICATIONFAILED/i.test(text)) {
    return new M365MailError(
      'imap.auth_failed',
      `The IMAP server refused the OAuth token.${failure.responseText ? ` The server said: "${failure.responseText.slice(0, 300)}"` : ''}`,
      {
        nextStep:
          'Check that the token carries the IMAP scope of this cloud (IMAP.AccessAsUser.All; aud https://outlook.office.com), that the user name is right, and that IMAP is enabled for the mailbox.'
      }
    );
  }
  return (
    explainNetworkFailure(failure.code, failure.message, 'IMAP') ??
    new M365MailError(
      `imap.${failure.serverResponseCode ?? failure.responseStatus ?? failure.code ?? 'error'}`,
      `IMAP failed: ${failure.responseText ?? failure.message ?? 'unknown error'}.`
    )
  );
}
