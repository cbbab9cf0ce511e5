/**
 * Explains Microsoft Graph failures by their `error.code` (Graph's error shape:
 * `{"error":{"code","message","innerError":{"request-id","date"}}}`), never by the message text,
 * into an {@link M365MailError} whose code is `graph.<Graph's code>` and whose next step says what
 * to do. The request id is kept in the message: it is what Microsoft support asks for. No `vscode`
 * import: the words are `@vscode/l10n`'s (src/core/localization.ts).
 */
import * as l10n from '@vscode/l10n';
import { CancelledError, M365MailError } from '../../core/errors';

/** What the SDK's GraphError carries (its fields, so that tests and callers need not construct one). */
export interface GraphFailure {
  statusCode?: number;
  code?: string | null;
  message?: string;
  requestId?: string | null;
  headers?: Headers;
}

/** What the failing request was, so that the next step fits it. */
export interface GraphFailureContext {
  /** App-only (client credentials) tokens carry `roles`; delegated ones `scp`. */
  appOnly: boolean;
  /** The mailbox the request addressed (`/users/{mailbox}`). */
  mailbox: string;
  /** The mailbox is not the signed-in user's own (a delegate's shared mailbox): `.Shared` permissions. */
  shared?: boolean;
}

/** Seconds a 429 or 503 asks to wait (`Retry-After`: seconds or an HTTP date); undefined without one. */
export function retryAfterSeconds(headers: Headers | undefined, now = Date.now()): number | undefined {
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export function explainGraphFailure(error: unknown, context: GraphFailureContext): M365MailError {
  if (error instanceof M365MailError) return error;
  const failure = (error ?? {}) as GraphFailure;
  const status = typeof failure.statusCode === 'number' ? failure.statusCode : undefined;
  if (status === undefined || status <= 0) {
    // A GraphClientError (the SDK refused the request itself) or a bug: no Graph code to go by.
    if ((error as { name?: string })?.name === 'AbortError') return new CancelledError();
    return new M365MailError('graph.client', l10n.t('The Microsoft Graph request failed before an answer came: {0}', failure.message ?? String(error)), {
      cause: error
    });
  }
  const graphCode = failure.code ?? '';
  const said = failure.message ? ` ${failure.message}` : '';
  const id = failure.requestId ? l10n.t(' (request-id {0})', failure.requestId) : '';
  const make = (code: string, message: string, nextStep: string) => new M365MailError(code, `${message}${id}`, { cause: error, nextStep });
  const mailbox = context.mailbox;
  switch (graphCode) {
    case 'ErrorAccessDenied':
      return context.appOnly
        ? make(
            'graph.ErrorAccessDenied',
            l10n.t('Microsoft Graph denied the app access to {0} (ErrorAccessDenied).{1}', mailbox, said),
            l10n.t(
              'Grant the application permission (Mail.Send / Mail.Read) with admin consent, and check that no application access policy or RBAC for Applications scope keeps the app from {0} (Test-ApplicationAccessPolicy -Identity {0} -AppId <client ID>).',
              mailbox
            )
          )
        : make(
            'graph.ErrorAccessDenied',
            l10n.t('Microsoft Graph denied access to {0} (ErrorAccessDenied).{1}', mailbox, said),
            l10n.t(
              'The token lacks a permission for this request: add Mail.Send / Mail.Read (Mail.Send.Shared / Mail.Read.Shared for a shared mailbox) to the scopes, consent, and authorize again; for a shared mailbox the user also needs access to it.'
            )
          );
    case 'ErrorSendAsDenied':
      return make(
        'graph.ErrorSendAsDenied',
        l10n.t('The signed-in user may not send as {0} (ErrorSendAsDenied).{1}', mailbox, said),
        l10n.t('An Exchange admin must grant the user "Send As" on {0} (Add-RecipientPermission); the token must also carry Mail.Send.Shared.', mailbox)
      );
    case 'MailboxNotEnabledForRESTAPI':
      return make(
        'graph.MailboxNotEnabledForRESTAPI',
        l10n.t('The mailbox {0} cannot be reached through Microsoft Graph (MailboxNotEnabledForRESTAPI).{1}', mailbox, said),
        l10n.t(
          'The mailbox must exist in Exchange Online with a license (an on-premises or inactive mailbox, or one without an Exchange Online plan, is not served by Graph). Check the user name or shared mailbox.'
        )
      );
    case 'ErrorMimeContentInvalidBase64String':
      return make(
        'graph.ErrorMimeContentInvalidBase64String',
        l10n.t('Microsoft Graph could not read the message as base64 MIME (ErrorMimeContentInvalidBase64String).{0}', said),
        l10n.t('The .eml file must be a complete MIME message (headers, a blank line, the body). Open it to check it, or send it over SMTP.')
      );
    case 'InvalidAuthenticationToken':
      return make(
        'graph.InvalidAuthenticationToken',
        l10n.t('Microsoft Graph refused the access token (InvalidAuthenticationToken).{0}', said),
        l10n.t(
          'The token must be for Microsoft Graph (aud = the cloud\'s Graph root) and unexpired: run "Authorize credential" again, and check the scopes start with the Graph prefix ("Show token details").'
        )
      );
    case 'Authorization_RequestDenied':
      return make(
        'graph.Authorization_RequestDenied',
        l10n.t('Microsoft Graph says the app has no consent for this request (Authorization_RequestDenied).{0}', said),
        context.appOnly
          ? l10n.t('An admin must grant the application permissions (Mail.Send, Mail.Read) and give admin consent ("Open admin consent").')
          : l10n.t('Add the Graph permissions to the app registration, consent to them (or ask an admin for consent), and authorize again.')
      );
    case 'ErrorInvalidRecipients':
      return make(
        'graph.ErrorInvalidRecipients',
        l10n.t('Microsoft Graph refused the recipients (ErrorInvalidRecipients).{0}', said),
        l10n.t('Check the recipient addresses.')
      );
    default:
      break;
  }
  if (status === 429 || status === 503) {
    const wait = retryAfterSeconds(failure.headers);
    return make(
      status === 429 ? 'graph.throttled' : 'graph.unavailable',
      status === 429
        ? l10n.t('Microsoft Graph is throttling requests for {0} (429).{1}', mailbox, said)
        : l10n.t('Microsoft Graph is unavailable (503).{0}', said),
      wait !== undefined ? l10n.t('Try again in {0} seconds.', wait) : l10n.t('Try again in a minute.')
    );
  }
  if (status === 413 || graphCode === 'RequestEntityTooLarge' || graphCode === 'ErrorMessageSizeExceeded') {
    return make(
      'graph.too_large',
      l10n.t('The message is too large for this Microsoft Graph request (413).{0}', said),
      l10n.t(
        "Exchange refuses messages over the mailbox's size limit (35 MB by default; an Exchange admin can raise MaxSendSize up to 150 MB). Make the message smaller, or send it over SMTP."
      )
    );
  }
  if (status === 401) {
    return make('graph.401', l10n.t('Microsoft Graph refused the request as unauthenticated (401).{0}', said), l10n.t('Run "Authorize credential" again.'));
  }
  if (status === 404) {
    return make(
      'graph.404',
      l10n.t('Microsoft Graph found no {0} (404, {1}).{2}', mailbox, graphCode || 'not found', said),
      l10n.t('Check the user name or shared mailbox.')
    );
  }
  return make(
    `graph.${status}`,
    l10n.t('Microsoft Graph answered {0}{1}.{2}', status, graphCode ? ` ${graphCode}` : '', said),
    l10n.t('See the M365 Mail output for the request.')
  );
}

/** What a large message's draft needs and the token may lack. */
export interface DraftPermissionContext extends GraphFailureContext {
  /** Whether the token's claims showed the permission missing (else a 403 suggests it). */
  certain: boolean;
  /** The raw-MIME limit, formatted, to say why a draft is needed. */
  limit: string;
}

/** The token lacks Mail.ReadWrite (`.Shared` for another mailbox), which drafts and upload sessions need; sendMail does not. */
export function needsMailReadWrite(context: DraftPermissionContext, cause: unknown): M365MailError {
  const permission = context.appOnly ? 'Mail.ReadWrite' : context.shared ? 'Mail.ReadWrite.Shared' : 'Mail.ReadWrite';
  const message = context.certain
    ? l10n.t(
        'A message over {0} goes through Microsoft Graph as a draft, which needs the permission {1}; the token does not carry it.',
        context.limit,
        permission
      )
    : l10n.t(
        'Microsoft Graph refused to create the draft that a message over {0} needs (ErrorAccessDenied): the token may lack {1}.',
        context.limit,
        permission
      );
  return new M365MailError('graph.needs_mail_readwrite', message, {
    cause,
    nextStep: context.appOnly
      ? l10n.t(
          'An admin must grant the application permission Mail.ReadWrite with admin consent (and no application access policy may keep the app from {0}); or send the message over SMTP, or keep it under {1}.',
          context.mailbox,
          context.limit
        )
      : l10n.t(
          'Add the Graph scope {0} to the credential ("Edit credential", Scopes, with the cloud\'s Graph prefix), consent and authorize again; or send the message over SMTP, or keep it under {1}.',
          permission,
          context.limit
        )
  });
}

/** An upload session's URL that is not https or not on the cloud's Graph or Outlook hosts: nothing is sent there. */
export function uploadHostRefused(host: string, protocol: string, allowed: readonly string[]): M365MailError {
  return new M365MailError(
    'graph.upload_host_refused',
    protocol === 'https:'
      ? l10n.t("Microsoft Graph handed out an upload URL on {0}, which is neither this cloud's Graph host nor its Outlook host; nothing was uploaded.", host)
      : l10n.t('Microsoft Graph handed out an upload URL that is not https ({0}); nothing was uploaded.', protocol.replace(/:$/, '')),
    {
      nextStep: l10n.t(
        "Upload URLs may be on {0}; for a custom cloud, add its Outlook host to graphUploadHosts in m365mail.customClouds. Check for a proxy that rewrites Graph's answers.",
        allowed.join(', ')
      )
    }
  );
}

/** An attachment over what an upload session takes. */
export function attachmentTooLarge(name: string, size: string, limit: string): M365MailError {
  return new M365MailError(
    'graph.attachment_too_large',
    l10n.t('The attachment "{0}" is {1}: Microsoft Graph takes attachments of up to {2}.', name, size, limit),
    {
      nextStep: l10n.t('Send the message over SMTP, or make the attachment smaller. Nothing was sent.')
    }
  );
}

/** A message body (text or HTML) too large for the draft's one request. */
export function draftBodyTooLarge(size: string, limit: string): M365MailError {
  return new M365MailError(
    'graph.draft_too_large',
    l10n.t('The message body is {0}: Microsoft Graph takes a draft of up to {1} in one request.', size, limit),
    {
      nextStep: l10n.t('Send the message over SMTP, or move content into an attachment. Nothing was sent.')
    }
  );
}
