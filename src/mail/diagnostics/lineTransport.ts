/**
 * The connection test's reader and writer of one socket's lines (CRLF-terminated, RFC 9051 section
 * 2.2 / RFC 5321 section 2.3.8). After a STARTTLS upgrade it is re-attached to the TLS socket.
 *
 * With `imapLiterals` on it also reads IMAP literals (RFC 9051 section 4.3): a line that ends in
 * `{N}` (or the non-synchronizing `{N+}`, RFC 7888, and `~{N}` of literal8) is followed by exactly
 * N bytes of any content, CR and LF included, and then the rest of the response. Such a response
 * is one {@link ServerResponse}: its text with each literal replaced by a `{N}` placeholder, and the
 * literals' bytes.
 *
 * Nothing the server sends may grow memory without bound: a line longer than
 * {@link MAX_LINE_BYTES} or literals larger than {@link MAX_LITERAL_BYTES} end the connection.
 */
import * as l10n from '@vscode/l10n';
import type * as net from 'node:net';
import { codedError, StepFailure } from './stepErrors';

/**
 * The longest line accepted, CRLF excluded. RFC 5321 section 4.5.3.1.5 allows 512 octets for an SMTP
 * reply line and servers stay far below 8 KiB for an IMAP line without literals (long data comes as
 * literals); 64 KiB leaves room for any real server and stops one that never ends a line.
 */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * The most literal bytes one response may carry. The test only asks for capabilities and opens a
 * mailbox, whose literals are mailbox names and the like (a few hundred bytes); 1 MiB is far beyond
 * those and still small.
 */
export const MAX_LITERAL_BYTES = 1024 * 1024;

/**
 * The most lines one SMTP reply, or untagged responses one IMAP command, may take. The largest
 * answer the test asks for is an EHLO of a few dozen lines; together with the line limit this
 * bounds what one command can make the test hold.
 */
export const MAX_RESPONSES_PER_COMMAND = 1000;

/** Fails a command whose answer has more than {@link MAX_RESPONSES_PER_COMMAND} lines. */
export function checkResponseCount(count: number): void {
  if (count <= MAX_RESPONSES_PER_COMMAND) return;
  throw new StepFailure({
    code: 'protocol.too_many_lines',
    message: l10n.t('The server answered one command with more than {0} lines; the test stopped reading.', MAX_RESPONSES_PER_COMMAND),
    nextStep: l10n.t('Check the host and port: a mail server answers these commands in a few lines.')
  });
}

export interface ServerResponse {
  /** The response text without CRLF, decoded as UTF-8; each literal appears as its `{N}` announcement. */
  text: string;
  /** The literals' bytes, in order. */
  literals: Buffer[];
}

const LITERAL_AT_END = /~?\{(\d{1,10})\+?\}$/;

const lineTooLong = () =>
  new StepFailure({
    code: 'protocol.line_too_long',
    message: l10n.t('The server sent a line longer than {0} KiB without ending it; the connection was closed rather than read further.', MAX_LINE_BYTES / 1024),
    nextStep: l10n.t(
      'Check the host and port: this is not the mail protocol the test expects (993 speaks IMAP over TLS, 587 SMTP with STARTTLS), or something between this machine and the server corrupts the session.'
    )
  });

const literalTooLarge = (size: number) =>
  new StepFailure({
    code: 'protocol.literal_too_large',
    message: l10n.t(
      'The server announced {0} bytes of literal data in one response, more than the {1} MiB this test reads; the connection was closed.',
      size,
      MAX_LITERAL_BYTES / 1024 / 1024
    ),
    nextStep: l10n.t('The test only asks for capabilities and opens a mailbox, which never needs that much: check the host and port, or report the server.')
  });

export class LineTransport {
  private buffer: Buffer = Buffer.alloc(0);
  /** The response being read: text so far, literals so far, and how many literal bytes are still due. */
  private partial: { text: string; textBytes: number; literals: Buffer[]; literalBytes: number; pendingLiteral?: number } | undefined;
  private readonly responses: ServerResponse[] = [];
  private waiter: { resolve: (response: ServerResponse) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private detachListeners: () => void = () => undefined;

  constructor(
    public socket: net.Socket,
    private readonly log: (line: string) => void,
    private readonly options: { imapLiterals?: boolean } = {}
  ) {
    this.attach(socket);
  }

  attach(socket: net.Socket): void {
    this.detachListeners();
    this.socket = socket;
    this.failure = undefined;
    const onData = (chunk: Buffer) => this.receive(chunk);
    const onError = (error: Error) => this.fail(error);
    const onClose = () => this.fail(codedError('ECONNRESET', l10n.t('The server closed the connection.')));
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    this.detachListeners = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
  }

  /** Stops reading this socket (before a TLS upgrade); returns whether unread data was pending. */
  detach(): boolean {
    this.detachListeners();
    this.detachListeners = () => undefined;
    const pending = this.buffer.length > 0 || this.responses.length > 0 || this.partial !== undefined;
    this.buffer = Buffer.alloc(0);
    this.responses.length = 0;
    this.partial = undefined;
    return pending;
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    try {
      while (this.buffer.length && !this.failure) {
        if (this.partial?.pendingLiteral !== undefined) {
          if (!this.takeLiteral()) return;
          continue;
        }
        const index = this.buffer.indexOf(0x0a);
        if (index < 0) {
          if (this.buffer.length > MAX_LINE_BYTES + 1) throw lineTooLong();
          return;
        }
        const end = index > 0 && this.buffer[index - 1] === 0x0d ? index - 1 : index;
        if (end > MAX_LINE_BYTES) throw lineTooLong();
        const line = this.buffer.subarray(0, end).toString('utf8');
        this.buffer = this.buffer.subarray(index + 1);
        this.takeLine(line, end);
      }
    } catch (error) {
      // Stop reading at once: whatever else the server sends is not kept.
      this.fail(error as Error);
      this.detachListeners();
      this.buffer = Buffer.alloc(0);
      this.socket.destroy();
    }
  }

  private takeLine(line: string, bytes: number): void {
    this.log(`S: ${line}`);
    const partial = (this.partial ??= { text: '', textBytes: 0, literals: [], literalBytes: 0 });
    // The text around literals counts as one line: endless `{0}` literals must not grow it either.
    partial.textBytes += bytes;
    if (partial.textBytes > MAX_LINE_BYTES) throw lineTooLong();
    partial.text += line;
    const literal = this.options.imapLiterals ? LITERAL_AT_END.exec(line) : null;
    if (literal) {
      const size = Number(literal[1]);
      partial.literalBytes += size;
      if (partial.literalBytes > MAX_LITERAL_BYTES) throw literalTooLarge(partial.literalBytes);
      partial.pendingLiteral = size;
      return;
    }
    this.partial = undefined;
    this.deliver({ text: partial.text, literals: partial.literals });
  }

  /** Moves the announced literal out of the buffer; false while its bytes have not all arrived. */
  private takeLiteral(): boolean {
    const partial = this.partial!;
    const size = partial.pendingLiteral!;
    if (this.buffer.length < size) return false;
    partial.literals.push(Buffer.from(this.buffer.subarray(0, size)));
    this.buffer = this.buffer.subarray(size);
    partial.pendingLiteral = undefined;
    // Literal content may be mail data: its size is logged, never its bytes.
    this.log(`S: [literal, ${size} bytes]`);
    return true;
  }

  private deliver(response: ServerResponse): void {
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(response);
    } else {
      this.responses.push(response);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(this.failure);
    }
  }

  /** The next whole response: one line, or with `imapLiterals` a line with its literals. */
  readResponse(): Promise<ServerResponse> {
    const response = this.responses.shift();
    if (response !== undefined) return Promise.resolve(response);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** The next response's text (SMTP replies, IMAP lines whose literals do not matter). */
  async readLine(): Promise<string> {
    return (await this.readResponse()).text;
  }

  /** Sends one line; `logAs` replaces it in the log (for the line that carries the SASL string). */
  write(line: string, logAs?: string): void {
    this.log(`C: ${logAs ?? line}`);
    this.socket.write(`${line}\r\n`);
  }

  /** Says goodbye if it still can (the caller destroys the socket soon after), else closes now. */
  close(farewell?: string): void {
    this.detachListeners();
    const socket = this.socket;
    socket.on('error', () => undefined);
    if (farewell && socket.writable && !socket.destroyed) {
      this.log(`C: ${farewell}`);
      socket.end(`${farewell}\r\n`);
    } else {
      socket.destroy();
    }
  }
}
