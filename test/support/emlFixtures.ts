/**
 * .eml files for tests and the bench, written as mail clients write them: CRLF line ends, a
 * multipart/mixed body with a short text part and one base64 attachment in 76-character lines.
 */
import type { CredentialDefinition } from '../../src/core/model';
import { validDefinition } from '../unit/credentials/fixtures';

/** A credential to send with, valid for import; never authorized: the tests and the bench stop before a token is needed. */
export const emlSender: CredentialDefinition = validDefinition({ id: 'eml-sender', name: 'Eml sender', clientAuth: 'none' });

export function multipartEml(headers: string[], text: string, attachment: { filename: string; bytes: Buffer }): Buffer {
  return Buffer.from(
    [
      ...headers,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      '--b1',
      `Content-Type: application/octet-stream; name="${attachment.filename}"`,
      `Content-Disposition: attachment; filename="${attachment.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      attachment.bytes.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--b1--',
      ''
    ].join('\r\n'),
    'latin1'
  );
}

/** A well-formed message of about `bytes` bytes, nearly all of it one attachment (base64 grows 4/3, plus CRLFs). */
export function largeEml(bytes: number, subject: string): Buffer {
  const attachmentBytes = Math.max(1, Math.floor(((bytes - 600) * 57) / 78));
  return multipartEml(
    ['From: "Adele Vance" <adele@contoso.test>', 'To: someone@fabrikam.test', `Subject: ${subject}`, 'Message-ID: <large@contoso.test>'],
    'The attachment is filler.',
    { filename: 'filler.bin', bytes: Buffer.alloc(attachmentBytes, 0xa5) }
  );
}
