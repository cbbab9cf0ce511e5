/**
 * The connection test's line reader against a scripted local server: IMAP literals (RFC 9051
 * section 4.3) read whole whatever their content and however the bytes are split, and the caps
 * that keep a hostile server from growing memory.
 */
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { checkResponseCount, LineTransport, MAX_LINE_BYTES, MAX_RESPONSES_PER_COMMAND, type ServerResponse } from '../../../src/mail/diagnostics/lineTransport';
import { StepFailure } from '../../../src/mail/diagnostics/stepErrors';

interface Scripted {
  transport: LineTransport;
  /** The server's side of the connection. */
  server: net.Socket;
  log: string[];
}

const open: Array<{ listener: net.Server; client: net.Socket }> = [];

/** Connects a transport to a local server and hands back the server's socket to script. */
async function scripted(options: { imapLiterals?: boolean } = {}): Promise<Scripted> {
  const listener = net.createServer();
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const client = net.connect({ host: '127.0.0.1', port: (listener.address() as net.AddressInfo).port });
  await new Promise((resolve) => client.once('connect', resolve));
  const server = await accepted;
  server.setNoDelay(true);
  open.push({ listener, client });
  const log: string[] = [];
  return { transport: new LineTransport(client, (line) => log.push(line), options), server, log };
}

/** Writes each piece as its own segment, waiting until the reader has seen it. */
async function writePieces(socket: net.Socket, pieces: Array<string | Buffer>): Promise<void> {
  for (const piece of pieces) await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
}

describe('connection test: reading lines and IMAP literals', () => {
  afterEach(async () => {
    for (const { listener, client } of open.splice(0)) {
      client.destroy();
      await new Promise((r) => listener.close(r));
    }
  });

  it('reads a literal whose bytes hold CRLF and a brace, then the rest of its response', async () => {
    const { transport, server, log } = await scripted({ imapLiterals: true });
    const literal = 'Subject: {3}\r\n\r\nhi';
    server.write(`* 1 FETCH (BODY[HEADER] {${Buffer.byteLength(literal)}}\r\n${literal} FLAGS (\\Seen))\r\nt1 OK FETCH done\r\n`);
    const response: ServerResponse = await transport.readResponse();
    assert.equal(response.text, `* 1 FETCH (BODY[HEADER] {${Buffer.byteLength(literal)}} FLAGS (\\Seen))`);
    assert.deepEqual(
      response.literals.map((l) => l.toString('utf8')),
      [literal]
    );
    assert.equal(await transport.readLine(), 't1 OK FETCH done');
    assert.ok(!log.some((l) => l.includes('Subject')), 'literal bytes are never logged');
    assert.ok(log.includes(`S: [literal, ${Buffer.byteLength(literal)} bytes]`));
  });

  it('reads literals split anywhere across segments, several in one response, empty ones and literal8', async () => {
    const { transport, server } = await scripted({ imapLiterals: true });
    const bytes = Buffer.from('* LIST () "/" {5}\r\nIN\r\nX ~{0}\r\n {4+}\r\n\u00e9\u00e9)\r\nt2 OK\r\n', 'utf8');
    await writePieces(
      server,
      [...bytes].map((b) => Buffer.from([b]))
    );
    const response = await transport.readResponse();
    assert.equal(response.text, '* LIST () "/" {5} ~{0} {4+})');
    assert.deepEqual(
      response.literals.map((l) => l.toString('utf8')),
      ['IN\r\nX', '', '\u00e9\u00e9']
    );
    assert.equal(await transport.readLine(), 't2 OK');
  });

  it('leaves a line ending in braces alone when literals are not part of the protocol (SMTP)', async () => {
    const { transport, server } = await scripted();
    server.write('250-SIZE {5}\r\n250 OK\r\n');
    assert.equal(await transport.readLine(), '250-SIZE {5}');
    assert.equal(await transport.readLine(), '250 OK');
  });

  it(`fails a line longer than ${MAX_LINE_BYTES} bytes with an actionable error and closes the connection`, async () => {
    const { transport, server } = await scripted({ imapLiterals: true });
    const closed = new Promise((resolve) => server.once('close', resolve));
    server.write('x'.repeat(MAX_LINE_BYTES + 10));
    await assert.rejects(transport.readLine(), (error: StepFailure) => {
      assert.ok(error instanceof StepFailure);
      assert.equal(error.error.code, 'protocol.line_too_long');
      assert.match(error.error.message, /64 KiB/);
      assert.match(error.error.nextStep ?? '', /host and port/);
      return true;
    });
    await closed;
  });

  it('accepts a line of exactly the limit, and counts the text around literals as one line', async () => {
    const { transport, server } = await scripted({ imapLiterals: true });
    server.write(`${'y'.repeat(MAX_LINE_BYTES)}\r\n`);
    assert.equal((await transport.readLine()).length, MAX_LINE_BYTES);
    // Endless empty literals must not grow a response past the limit either.
    server.write(`* ${'z'.repeat(MAX_LINE_BYTES / 2)} {0}\r\n${'z'.repeat(MAX_LINE_BYTES / 2)} {0}\r\n`);
    await assert.rejects(transport.readLine(), (error: StepFailure) => error.error.code === 'protocol.line_too_long');
  });

  it('refuses a literal larger than the test ever needs before reading it', async () => {
    const { transport, server } = await scripted({ imapLiterals: true });
    server.write('* 1 FETCH (BODY[] {4294967295}\r\n');
    await assert.rejects(transport.readLine(), (error: StepFailure) => error.error.code === 'protocol.literal_too_large');
  });

  it('bounds how many lines one command may be answered with', () => {
    assert.doesNotThrow(() => checkResponseCount(MAX_RESPONSES_PER_COMMAND));
    assert.throws(
      () => checkResponseCount(MAX_RESPONSES_PER_COMMAND + 1),
      (error: StepFailure) => error.error.code === 'protocol.too_many_lines'
    );
  });
});
