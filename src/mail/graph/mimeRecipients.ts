/**
 * Graph's raw-MIME `sendMail` takes its recipients from the message's own To, Cc and Bcc headers;
 * there is no envelope apart from them (SMTP's RCPT TO). To keep SMTP's envelope rule, that a
 * message goes to the recipients the user chose and to no one else, those headers are replaced by
 * one `To:` with the chosen recipients; every other byte stays as it is. No `vscode` import.
 */

const RECIPIENT_HEADER = /^(to|cc|bcc)$/i;

/** The message with its To/Cc/Bcc headers (and their folded lines) replaced by `To: <recipients>`. */
export function withRecipients(mime: Buffer, recipients: readonly string[]): Buffer {
  const text = mime.toString('latin1');
  const end = /\r?\n\r?\n/.exec(text);
  const headerEnd = end ? end.index : text.length;
  const newline = text.includes('\r\n') ? '\r\n' : '\n';
  const kept: string[] = [];
  let dropping = false;
  for (const line of text.slice(0, headerEnd).split(/\r?\n/)) {
    // A folded line (RFC 5322 section 2.2.3) belongs to the header before it.
    if (/^[ \t]/.test(line)) {
      if (!dropping) kept.push(line);
      continue;
    }
    const name = line.slice(0, Math.max(0, line.indexOf(':')));
    dropping = RECIPIENT_HEADER.test(name.trim());
    if (!dropping) kept.push(line);
  }
  kept.push(`To: ${recipients.join(', ')}`);
  return Buffer.concat([Buffer.from(kept.join(newline), 'latin1'), mime.subarray(Buffer.byteLength(text.slice(0, headerEnd), 'latin1'))]);
}
