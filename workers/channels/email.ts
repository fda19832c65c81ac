// E-mail over SMTP with nodemailer. The channel only sends; what to send and whether it may be
// sent is decided by the notify processor and guarded in the database.
import nodemailer, { type Transporter } from "nodemailer";
import type { RenderedMessage } from "../../domain/messages.js";

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
      const info = await transport.sendMail({
        from: cfg.from,
        to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: opts.messageId,
      });
      return { providerMessageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}
