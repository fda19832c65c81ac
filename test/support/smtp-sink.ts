// A real SMTP server (smtp-server) that accepts every message and writes it to
// <outbox>/<id>.eml. The demo and the tests send real SMTP to it. Development/test tool only.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { SMTPServer } from "smtp-server";

export interface SmtpSink {
  port: number;
  outbox: string;
  close(): Promise<void>;
}

export async function startSmtpSink(opts: { port: number; host?: string; outbox: string }): Promise<SmtpSink> {
  mkdirSync(opts.outbox, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const id = `${Date.now()}-${randomUUID()}`;
        // Write to a temp name and rename, so readers never see half a message.
        const file = path.join(opts.outbox, `${id}.eml`);
        writeFileSync(`${file}.part`, Buffer.concat(chunks));
        renameSync(`${file}.part`, file);
        callback(null, `queued as ${id}`);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.server.address();
  const port = typeof addr === "object" && addr ? addr.port : opts.port;
  return { port, outbox: opts.outbox, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sink = await startSmtpSink({ port: Number(process.env.SMTP_PORT ?? 2525), outbox: process.env.OUTBOX_DIR ?? ".data/outbox" });
  console.log(`SMTP sink on 127.0.0.1:${sink.port}, writing to ${sink.outbox}`);
  for (const s of ["SIGTERM", "SIGINT"] as const) process.once(s, () => void sink.close().then(() => process.exit(0)));
}
