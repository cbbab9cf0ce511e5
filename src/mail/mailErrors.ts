/**
 * Explains SMTP and IMAP failures in words an admin can act on. Input is what the protocol
 * libraries report (nodemailer: `responseCode` and `response`; imapflow: `responseText`,
 * `serverResponseCode`, `authenticationFailed`); output is an {@link M365MailError} whose code is the
 * reply's own (`smtp.535 5.7.139`, `imap.NO`, …). No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { M365MailError } from '../core/errors';
import { explainNetworkFailure, type NetworkTarget } from '../net/networkErrors';

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
  /** Functions: the words are looked up in the display language when a failure is explained. */
  message: () => string;
  nextStep: () => string;
}

/** The enhanced status codes (RFC 3463) explained below. */
const EXPLAINED_STATUS_CODES = new Set(['5.7.139', '5.7.3', '5.7.57', '5.7.30', '5.7.60']);

// Enhanced status codes (RFC 3463) that Exchange Online uses; most specific first.
const SMTP_EXPLANATIONS: Explanation[] = [
  {
    test: (r) => /5\.7\.139/.test(r),
    message: () =>
      l10n.t('SMTP AUTH is switched off for this mailbox or tenant (535 5.7.139): Exchange Online refused to authenticate before looking at the token.'),
    nextStep: () =>
      l10n.t({
        message:
          'An Exchange admin must enable "Authenticated SMTP" for the mailbox ({0}) or for the tenant; it is off by default since January 2020. Alternatively send through Microsoft Graph.',
        args: ['Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false'],
        comment: ['{0} is a PowerShell command. "Authenticated SMTP" is the name of the setting in the Microsoft 365 admin center.']
      })
  },
  {
    test: (r) => /5\.7\.3\b/.test(r),
    message: () => l10n.t('The server refused the OAuth token (535 5.7.3 Authentication unsuccessful).'),
    nextStep: () =>
      l10n.t(
        'Check that the token has the SMTP.Send scope for this cloud ("Show token details": scp must list SMTP.Send, aud must be https://outlook.office.com), that the user name is the mailbox the token belongs to (or a mailbox it may send as), and that SMTP AUTH is enabled for the mailbox.'
      )
  },
  {
    test: (r) => /5\.7\.57/.test(r),
    message: () => l10n.t('The server wants authentication before MAIL FROM (530 5.7.57 Client not authenticated to send mail).'),
    nextStep: () =>
      l10n.t(
        'The session was not authenticated: check that the SMTP server is the submission server (smtp.office365.com:587 with STARTTLS) and that the XOAUTH2 step succeeded.'
      )
  },
  {
    test: (r) => /5\.7\.30/.test(r),
    message: () => l10n.t('Basic authentication is not supported (550 5.7.30).'),
    nextStep: () => l10n.t('Use OAuth2 (XOAUTH2) with a token from this credential; the password-based login is disabled.')
  },
  {
    test: (r) => /5\.7\.60|SendAsDenied|not allowed to send as/i.test(r),
    message: () => l10n.t('The user may not send as this sender (5.7.60 SendAsDenied).'),
    nextStep: () => l10n.t('Grant the user "Send As" permission on the shared mailbox, or send from the user\'s own address.')
  },
  {
    test: (_r, c) => c === 535 || c === 334,
    message: () => l10n.t('Authentication failed.'),
    nextStep: () => l10n.t("Check the token's scope (SMTP.Send), the user name, and that SMTP AUTH is enabled for the mailbox.")
  },
  {
    test: (_r, c) => c !== undefined && c >= 400 && c < 500,
    message: () => l10n.t('The server deferred the message (a temporary 4xx reply).'),
    nextStep: () => l10n.t('Nothing was sent. Try again later; if it persists, the server log or its admin can say why.')
  },
  {
    test: (_r, c) => c !== undefined && c >= 500,
    message: () => l10n.t('The server refused the message (a permanent 5xx reply).'),
    nextStep: () => l10n.t("Read the server's reply below; fix the recipient, sender or size it names.")
  }
];

/** Codes and texts with which the mail libraries report a connection that is gone. */
const MAIL_LIBRARY_DROPPED = /NoConnection|EConnectionClosed|ESOCKET|not available/i;

/**
 * Network and TLS failures without a protocol reply (connection refused, DNS, timeouts,
 * certificates), through the classifier shared with the auth engine, with next steps for mail.
 */
function explainMailNetworkFailure(code: string | undefined, message: string | undefined, what: 'IMAP' | 'SMTP'): M365MailError | undefined {
  // imapflow rejects what was pending on a closed connection with NoConnection ("Connection not
  // available") or EConnectionClosed, and nodemailer with ESOCKET: the shared classifier reads them
  // as a reset connection unless a more telling code or message is there.
  const explained =
    explainNetworkFailure({ code, message }, mailTarget(what)) ??
    (MAIL_LIBRARY_DROPPED.test(`${code ?? ''} ${message ?? ''}`) ? explainNetworkFailure({ code: 'ECONNRESET' }, mailTarget(what)) : undefined);
  return explained && new M365MailError(explained.code, explained.message, { nextStep: explained.nextStep });
}

function mailTarget(what: 'IMAP' | 'SMTP'): NetworkTarget {
  return {
    name: what === 'IMAP' ? l10n.t('the IMAP server') : l10n.t('the SMTP server'),
    nextSteps: {
      'network.refused': l10n.t('Check the host and port of the credential.'),
      'network.dns': l10n.t("Check the host name (for example outlook.office365.com) and the machine's DNS."),
      'network.timeout': l10n.t('A firewall may block the port (993, 587); check from this machine with the connectivity test.'),
      'network.dropped': what === 'IMAP' ? l10n.t('Refresh to reconnect.') : l10n.t('Try again; nothing was sent twice.')
    }
  };
}

/** The server's own reply, quoted (at most 300 characters): data, not translated. */
function serverSays(reply: string): string {
  return l10n.t('The server said: "{0}"', reply.slice(0, 300));
}

export function explainSmtpFailure(failure: SmtpFailure): M365MailError {
  const reply = (failure.response ?? '').trim();
  if (!failure.responseCode && !reply) {
    return (
      explainMailNetworkFailure(failure.code, failure.message, 'SMTP') ??
      new M365MailError(`smtp.${failure.code ?? 'error'}`, l10n.t('SMTP failed: {0}.', failure.message ?? l10n.t('unknown error')))
    );
  }
  // A relay may wrap Exchange's status in its own ("535 5.7.8 Error: authentication failed: 5.7.139 …"):
  // the code is the one explained below when there is one, else the first.
  const enhancedCodes = reply.match(/\b[245]\.\d{1,3}\.\d{1,3}\b/g) ?? [];
  const enhanced = enhancedCodes.find((c) => EXPLAINED_STATUS_CODES.has(c)) ?? enhancedCodes[0];
  const code = `smtp.${failure.responseCode ?? ''}${enhanced ? ` ${enhanced}` : ''}`.trim();
  const explanation = SMTP_EXPLANATIONS.find((e) => e.test(reply, failure.responseCode));
  const serverSaid = reply ? ` ${serverSays(reply)}` : '';
  return new M365MailError(code, `${explanation?.message() ?? l10n.t('SMTP failed.')}${serverSaid}`, { nextStep: explanation?.nextStep() });
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
    return new M365MailError(
      'imap.not_connected',
      l10n.t({
        message: 'Signed in, but the mailbox could not be opened ("{0}").',
        args: ['User is authenticated but not connected'],
        comment: ["{0} is Exchange Online's reply, in English."]
      }),
      {
        nextStep: l10n.t(
          'The token lacks the IMAP.AccessAsUser.All scope (or, app-only, IMAP.AccessAsApp with mailbox permission), or the user name is a mailbox this user may not open (a shared mailbox needs Full Access for the user).'
        )
      }
    );
  }
  if (failure.authenticationFailed || /AUTHENTICATE failed|Authentication failed|AUTHENTICATIONFAILED/i.test(text)) {
    return new M365MailError(
      'imap.auth_failed',
      `${l10n.t('The IMAP server refused the OAuth token.')}${failure.responseText ? ` ${serverSays(failure.responseText)}` : ''}`,
      {
        nextStep: l10n.t(
          'Check that the token carries the IMAP scope of this cloud (IMAP.AccessAsUser.All; aud https://outlook.office.com), that the user name is right, and that IMAP is enabled for the mailbox.'
        )
      }
    );
  }
  return (
    explainMailNetworkFailure(failure.code, failure.message, 'IMAP') ??
    new M365MailError(
      `imap.${failure.serverResponseCode ?? failure.responseStatus ?? failure.code ?? 'error'}`,
      l10n.t('IMAP failed: {0}.', failure.responseText ?? failure.message ?? l10n.t('unknown error'))
    )
  );
}
