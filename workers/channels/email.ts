// E-mail over SMTP with nodemailer. The channel only sends; what to send and whether it may be
// sent is decided by the notify processor and guarded in the database.
import nodemailer, { type Transporter } from "nodemailer";
import type { RenderedMessage } from "../../domain/messages.js";
import { ChannelRejectedError, ChannelUnavailableError, withoutContacts } from "./errors.js";

export interface EmailChannel {
  send(to: string, message: RenderedMessage, opts: { messageId: string }): Promise<{ providerMessageId: string }>;
  close(): void;
}

export function createEmailChannel(cfg: { host: string; port: number; secure: boolean; user?: string; pass?: string; from: string }): EmailChannel {
  const transport: Transporter = nodemailer.createTransport({
    host: cfg.host,
    port: cfg.port,
    secure: cfg.secure,
    // A local sink speaks plain SMTP; a real relay is reached with secure=true or STARTTLS.
    ignoreTLS: !cfg.secure && (cfg.host === "127.0.0.1" || cfg.host === "localhost"),
    auth: cfg.user ? { user: cfg.user, pass: cfg.pass ?? "" } : undefined,
    connectionTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(to, message, opts) {
      try {
        const info = await transport.sendMail({
          from: cfg.from,
          to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: opts.messageId,
        });
        return { providerMessageId: info.messageId };
      } catch (err) {
        // A 5xx reply refuses this message for good (unknown mailbox...); anything else (no
        // connection, 4xx "try later") means the server did not take it: retry.
        const code = (err as { responseCode?: unknown }).responseCode;
        const message = withoutContacts(err instanceof Error ? err.message : String(err));
        if (typeof code === "number" && code >= 500) throw new ChannelRejectedError(`SMTP server refused the message: ${message.slice(0, 300)}`, String(code));
        throw new ChannelUnavailableError(`SMTP: ${message.slice(0, 300)}`);
      }
    },
    close() {
      transport.close();
    },
  };
}
