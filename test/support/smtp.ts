// A real SMTP server for tests (smtp-server on a free loopback port): it takes what billrelay sends,
// with a login, and can be told to refuse (e.g. 451) for a while. What arrives is parsed by mailparser
// to read it as a person would: the envelope, the decoded headers, the subject, the plain text and the HTML.
import net, { type AddressInfo } from 'node:net';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { noteMail, noteSecret } from './secrets.js';

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'smtp-secret-Kq93x';

export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  /** While set, every message is refused with this SMTP reply code. */
  refuseWith: number | null;
  /** While set, a message's data is read but never answered (a server that stalls before its 250). */
  stall: boolean;
  /** Messages whose data arrived while stalling (never accepted, not in `received`). */
  stalled: number;
  close(): Promise<void>;
}

/** On a free loopback port, or on `port` (e.g. one billrelay was told of while nothing listened there). */
export async function startSmtp(options: { port?: number } = {}): Promise<TestSmtp> {
  noteSecret(SMTP_PASSWORD, 'the SMTP password');
  const state: TestSmtp = { url: '', received: [], refuseWith: null, stall: false, stalled: 0, close: async () => {} };
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (state.stall) {
          state.stalled += 1;
          return;
        }
        if (state.refuseWith !== null) {
          return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: state.refuseWith }));
        }
        const raw = Buffer.concat(chunks);
        parse(raw).then(
          (mail) => {
            // The tokens of its links (password reset, e-mail confirmation) are secrets for the watch.
            noteMail(`${mail.text}\n${mail.html}`);
            state.received.push({
              ...mail,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: raw.toString('utf8'),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  state.url = `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** The headers a person reads, decoded: addresses as "Name <address>", structured values by their value. */
function headersOf(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of parsed.headers) {
    if (typeof value === 'string') headers[key] = value;
    else if (value instanceof Date) headers[key] = value.toISOString();
    else if (value && typeof value === 'object' && 'text' in value) headers[key] = String((value as AddressObject).text);
    else if (value && typeof value === 'object' && 'value' in value) headers[key] = String((value as { value: unknown }).value);
  }
  return headers;
}

async function parse(raw: Buffer): Promise<Pick<ReceivedMail, 'headers' | 'subject' | 'text' | 'html'>> {
  const parsed = await simpleParser(raw);
  return { headers: headersOf(parsed), subject: parsed.subject ?? '', text: parsed.text ?? '', html: parsed.html || '' };
}

/** A loopback port nothing listens on (taken from the system, then let go): connecting there is refused. */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
