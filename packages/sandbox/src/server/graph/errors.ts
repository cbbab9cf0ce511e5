/**
 * Microsoft Graph's error answers: `{"error":{"code","message","innerError":{"request-id","date"}}}`
 * with the HTTP status Graph uses for each code, and the `request-id` header on every answer.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

/** The errors the service answers with, as Graph words them. */
export const graphErrors = {
  invalidToken: (why: string) =>
    new GraphError(401, 'InvalidAuthenticationToken', why, {
      'www-authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"'
    }),
  accessDenied: (message = 'Access is denied. Check credentials and try again.') => new GraphError(403, 'ErrorAccessDenied', message),
  accessPolicy: () =>
    new GraphError(403, 'ErrorAccessDenied', 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.'),
  sendAsDenied: () =>
    new GraphError(
      403,
      'ErrorSendAsDenied',
      'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.'
    ),
  mailboxNotEnabled: () => new GraphError(404, 'MailboxNotEnabledForRESTAPI', 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.'),
  userNotFound: (id: string) =>
    new GraphError(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`),
  itemNotFound: () => new GraphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.'),
  folderNotFound: () => new GraphError(404, 'ErrorItemNotFound', 'The specified folder could not be found in the store.'),
  invalidId: () => new GraphError(400, 'ErrorInvalidIdMalformed', 'Id is malformed.'),
  badRequest: (message: string, code = 'BadRequest') => new GraphError(400, code, message),
  invalidBase64: () => new GraphError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.'),
  invalidRecipients: () =>
    new GraphError(400, 'ErrorInvalidRecipients', 'At least one recipient is not valid., A message can\u2019t be sent because it contains no recipients.'),
  tooLarge: () => new GraphError(413, 'RequestEntityTooLarge', 'The maximum request length supported is 4MB.'),
  /** createUploadSession for less than the documented 3 MB (Exchange's own floor is lower; the sandbox keeps the documented one). */
  attachmentTooSmall: () =>
    new GraphError(
      400,
      'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize',
      'Attachment size should not be less than the minimum size of 3 MB for an upload session; POST it to the attachments of the item.'
    ),
  messageSizeExceeded: () => new GraphError(413, 'ErrorMessageSizeExceeded', 'The message exceeds the maximum supported size.'),
  /** What Outlook's upload URL answers a request that carries a Graph token: the URL is pre-authenticated, for another audience. */
  invalidAudience: () => new GraphError(401, 'InvalidAudience', "The audience claim value is invalid 'aud'."),
  invalidRange: (message: string) => new GraphError(416, 'InvalidRange', message),
  noRoute: (method: string, path: string) =>
    new GraphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop() ?? ''}'. (${method})`),
  throttled: (status: 429 | 503, retryAfterSeconds: number) =>
    status === 429
      ? new GraphError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', { 'retry-after': String(retryAfterSeconds) })
      : new GraphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.', { 'retry-after': String(retryAfterSeconds) })
};

export function newRequestId(): string {
  return randomUUID();
}

/** Graph stamps every answer, errors and successes alike. */
export function commonHeaders(requestId: string): Record<string, string> {
  return { 'request-id': requestId, 'client-request-id': requestId, 'cache-control': 'no-store' };
}

export function sendGraphError(res: ServerResponse, requestId: string, error: GraphError): void {
  const body = JSON.stringify({
    error: {
      code: error.code,
      message: error.message,
      innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ''), 'request-id': requestId, 'client-request-id': requestId }
    }
  });
  res.writeHead(error.status, { ...commonHeaders(requestId), ...error.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
