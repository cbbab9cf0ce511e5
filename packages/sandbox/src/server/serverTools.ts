/** What the sandbox's HTTPS servers share: a request log and closing with their connections. */
import { appendFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';

/** A logger that stamps each line and hands it to `logger` and/or appends it to `logFile`. */
export function lineLogger(options: { logger?: (line: string) => void; logFile?: string }): (line: string) => void {
  return (line) => {
    const stamped = `${new Date().toISOString()} ${line}`;
    options.logger?.(stamped);
    if (options.logFile) appendFileSync(options.logFile, `${stamped}\n`);
  };
}

/** Tracks the server's connections; the returned close() stops listening and ends the open ones (keep-alive clients included). */
export function closerOf(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
}
