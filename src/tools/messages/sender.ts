// Sends the outbox over SMTP (BILLRELAY_SMTP_URL), a few messages at a time, with retries and backoff.
// From is the provider's own sender when it has one (Provider → Providers), else BILLRELAY_MAIL_FROM's
// address with the provider's name; Reply-To is the provider's support address.
//
// At most once per message, even across crashes: a message is claimed ('sending', under a lease, one
// more attempt) in its own commit BEFORE the SMTP call, and marked sent after the server accepted it.
// A process that dies between the two leaves it 'sending'; once its lease has expired nobody knows
// whether the server got it, so it goes to 'failed' saying so, for a person to look at and send again
// (POST /api/v1/messages/:id/retry) — it is never resent blindly. A client getting the same e-mail
// twice is worse than staff seeing one that needs a look.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { MailConfig } from '../../platform/config.js';
import type { MessageRepository, MessageRow } from './repository.js';

export const UNKNOWN_OUTCOME = 'The sender stopped while sending this message; it may or may not have been delivered. Check with the recipient before sending it again.';

export interface SendRun {
  sent: number;
  retried: number;
  failed: number;
}

/** "Billing <billing@example.com>" or "billing@example.com" → its address. */
export function addressOf(from: string): string {
  const m = /<([^>]+)>\s*$/.exec(from);
  return (m ? m[1]! : from).trim();
}

/** An error's words with the SMTP URL's user and password taken out (they must never reach the database or a log). */
export function scrub(text: string, smtpUrl: string | undefined): string {
  if (!smtpUrl) return text;
  let out = text;
  try {
    const url = new URL(smtpUrl);
    for (const secret of [url.password, url.username, decodeURIComponent(url.password), decodeURIComponent(url.username)]) {
      if (secret.length >= 3) out = out.split(secret).join('***');
    }
  } catch {
    /* the config checked it */
  }
  return out.slice(0, 1000);
}

export class MessageSender {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly transport: Transporter | null;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;
  private again = false;

  constructor(
    private readonly repo: MessageRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly config: MailConfig,
  ) {
    this.transport = config.smtpUrl
      ? nodemailer.createTransport(config.smtpUrl, { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 } as never)
      : null;
  }

  /** False without BILLRELAY_SMTP_URL: messages stay pending, readable by staff. */
  get configured(): boolean {
    return this.transport !== null;
  }

  start(): void {
    if (!this.transport || this.running) return;
    this.running = true;
    this.kick();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    this.transport?.close();
  }

  /** Looks now (a message was committed, a retry asked for) instead of at the next poll. */
  kick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.ticking = this.runOnce()
      .catch((error: unknown) => this.logger.error({ err: new Error(scrub(String((error as Error)?.message ?? error), this.config.smtpUrl)) }, 'sending messages failed'))
      .finally(() => {
        this.ticking = undefined;
        if (!this.running) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), this.config.pollMs);
          this.timer.unref?.();
        }
      });
  }

  /** Sends everything due now; for tests and one-shot runs too. Nothing happens without SMTP configured. */
  async runOnce(): Promise<SendRun> {
    const run: SendRun = { sent: 0, retried: 0, failed: 0 };
    if (!this.transport) return run;
    run.failed += await this.repo.failAbandoned(this.clock.now(), UNKNOWN_OUTCOME);
    // One at a time: a message's lease starts when it is claimed, so none waits for others' sends under its lease.
    for (;;) {
      const [message] = await this.repo.claim(this.owner, this.clock.now(), this.config.leaseMs, 1);
      if (!message) break;
      run[await this.send(message)] += 1;
    }
    return run;
  }

  private async send(message: MessageRow): Promise<keyof SendRun> {
    const provider = await this.repo.providerOf(message.providerId);
    const fromAddress = addressOf(this.config.from!);
    try {
      await this.transport!.sendMail({
        // The provider's own sender when it has one; else BILLRELAY_MAIL_FROM's address under the provider's name.
        from: provider ? { name: provider.mailFromName ?? provider.name, address: provider.mailFromAddress ?? fromAddress } : this.config.from!,
        ...(provider?.supportEmail ? { replyTo: provider.supportEmail } : {}),
        to: message.recipientName ? { name: message.recipientName, address: message.recipientAddress } : message.recipientAddress,
        subject: message.subject,
        text: message.textBody,
        html: message.htmlBody,
        // The same id whoever sends it: a receiving server may drop a copy sent again by hand.
        messageId: `<billrelay-${message.id}-${Date.parse(message.createdAt).toString(36)}@${fromAddress.split('@')[1] ?? 'billrelay'}>`,
        headers: { 'Content-Language': message.locale },
      });
    } catch (error) {
      return this.failedAttempt(message, error);
    }
    const now = this.clock.now();
    await this.repo.finish(message.id, this.owner, { status: 'sent', sentAt: now.toISOString(), lastError: null }, now);
    return 'sent';
  }

  /** A 5xx answer is permanent (no such mailbox…): failed at once. Others are retried with backoff until maxAttempts. */
  private async failedAttempt(message: MessageRow, error: unknown): Promise<keyof SendRun> {
    const e = error as { responseCode?: number; message?: string };
    const words = scrub(e?.message ?? String(error), this.config.smtpUrl);
    const now = this.clock.now();
    const permanent = typeof e?.responseCode === 'number' && e.responseCode >= 500;
    if (permanent || message.attempts >= this.config.maxAttempts) {
      await this.repo.finish(message.id, this.owner, { status: 'failed', lastError: words }, now);
      this.logger.warn({ messageId: message.id, attempts: message.attempts, error: words }, 'message not sent; given up');
      return 'failed';
    }
    const delay = Math.min(this.config.retryMaxMs, this.config.retryBaseMs * 2 ** (message.attempts - 1));
    await this.repo.finish(message.id, this.owner, { status: 'pending', lastError: words, nextAttemptAt: new Date(now.getTime() + delay).toISOString() }, now);
    this.logger.info({ messageId: message.id, attempts: message.attempts, retryInMs: delay, error: words }, 'message not sent; retried later');
    return 'retried';
  }
}
