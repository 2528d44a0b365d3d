// The secret watch: every test file that starts a billrelay through the harness (startBillrelay /
// useBillrelay) is watched. The harness notes the secrets the file sees, and keeps what the server
// said where a secret must never be; when a billrelay closes (and once more when the file ends) each
// secret is looked for in those places, and a secret found fails the file.
//
// Secrets noted:
// - in request bodies sent with ApiClient: values of keys that name a secret (password, newPassword,
//   connection.password, token, licenseKey, …), and `token` query parameters;
// - in answers: Set-Cookie values (the session id), and values of such keys in successful JSON
//   answers (the API token on creation, the CSRF token, license keys in license reads);
// - upstream account passwords set on the simulator (startUpstream), the SMTP password and the
//   `token=` of every mailed link (startSmtp), the first administrator's password.
// Places searched (never the successful answers, nor the e-mails: a license key belongs in its
// owner's answers and in the activation e-mail):
// - the server's log, captured at debug level;
// - every error answer (status ≥ 400) an ApiClient got;
// - the audit log, read from the database when the billrelay closes;
// - the metrics (GET /metrics as the administrator) when the server has them.
//
// False positives are kept out by three rules: values shorter than 12 characters, or with fewer than
// 6 different characters ('xxxxxxxxxxxx', the fuzz's 100k strings), are not taken as secrets; and a
// value the file also sends as ordinary data (a name, a comment, a query value — the fuzz puts the same
// odd strings everywhere) is not a secret, since finding it could not tell which use leaked. The weak
// test passwords used everywhere ('client-password', 'partner-password', 'admin-password-1') ARE
// secrets: none of them may show in a log either.
//
// Cost: noting is a walk over each request and answer body the client already parsed; the search is
// one String.includes per secret and place at the end, not per line.
/** Keys whose values are secrets: *password, *secret, *token, licenseKey… (not passwordChangedAt, hasPassword). */
const SECRET_KEY = /(pass(word)?|passwordConfirmation|secret|token|licen[cs]eKey|authinfo|apiKey|privateKey)$/i;
const MIN_LENGTH = 12;
const MIN_DISTINCT = 6;

interface Place {
  label: string;
  /** The texts of this place; the search joins them once. */
  texts: string[];
  /** A request line per text, to say where a leak was (error answers). */
  notes?: string[];
}

export interface WatchedServer {
  url: string;
  log: Place;
  errors: Place;
  audit: Place;
  metrics: Place;
}

export interface Leak {
  secret: string;
  where: string;
  excerpt: string;
}

/** What one test file has seen. Vitest isolates modules per file, so this is per file. */
const state = {
  secrets: new Map<string, string>(),
  ordinary: new Set<string>(),
  servers: new Map<string, WatchedServer>(),
  /** Error answers from servers the harness did not start. */
  strayErrors: { label: 'error answers', texts: [], notes: [] } as Place,
};

const looksSecret = (value: string) => value.length >= MIN_LENGTH && new Set(value).size >= MIN_DISTINCT;

/** Notes a secret (ignored when too short or too plain to search for without false alarms). */
export function noteSecret(value: unknown, what: string): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (looksSecret(v) && !state.secrets.has(v)) state.secrets.set(v, what);
}

function noteOrdinary(value: string): void {
  if (value.length >= MIN_LENGTH && value.length <= 10_000) state.ordinary.add(value);
}

/** Walks a JSON value: secret-named keys' strings are secrets; in a request, other strings are ordinary data. */
function walk(value: unknown, what: string, ordinary: boolean, key = '', depth = 0): void {
  if (depth > 12) return;
  if (typeof value === 'string') {
    if (key && SECRET_KEY.test(key)) noteSecret(value, `${key} in ${what}`);
    else if (ordinary) noteOrdinary(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) walk(item, what, ordinary, key, depth + 1);
    return;
  }
  if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, what, ordinary, k, depth + 1);
}

/** A request an ApiClient sends: its body's secrets and ordinary values, its query's. */
export function noteRequest(method: string, path: string, body: unknown): void {
  const what = `${method} ${path.split('?')[0]}`;
  const query = path.indexOf('?');
  if (query >= 0) {
    for (const [k, v] of new URLSearchParams(path.slice(query + 1))) {
      if (SECRET_KEY.test(k)) noteSecret(v, `${k} in the query of ${what}`);
      else noteOrdinary(v);
    }
  }
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
  }
  walk(parsed, what, true);
}

/** An answer an ApiClient got: cookies and secret-named values are secrets; an error answer is kept. */
export function noteAnswer(baseUrl: string, method: string, path: string, status: number, text: string, parsed: unknown, setCookies: string[]): void {
  const what = `${method} ${path.split('?')[0]}`;
  for (const line of setCookies) {
    const pair = line.split(';')[0]!;
    const eq = pair.indexOf('=');
    noteSecret(pair.slice(eq + 1).trim(), `cookie ${pair.slice(0, eq).trim()} set by ${what}`);
  }
  if (status >= 400) {
    const place = state.servers.get(baseUrl)?.errors ?? state.strayErrors;
    place.texts.push(text);
    place.notes!.push(`${what} → ${status}`);
  } else if (parsed && typeof parsed === 'object') {
    walk(parsed, `the answer to ${what}`, false);
  }
}

/** A mail as the test SMTP server received it: the tokens of its links. */
export function noteMail(text: string): void {
  for (const m of text.matchAll(/[?&]token=([A-Za-z0-9_-]+)/g)) noteSecret(m[1], 'a mailed link token');
}

/** A server the harness started: its places are searched when it closes and when the file ends. */
export function watchServer(url: string): WatchedServer {
  const server: WatchedServer = {
    url,
    log: { label: `server log (${url})`, texts: [] },
    errors: { label: `error answers (${url})`, texts: [], notes: [] },
    audit: { label: `audit log (${url})`, texts: [] },
    metrics: { label: `metrics (${url})`, texts: [] },
  };
  state.servers.set(url, server);
  return server;
}

/** The secrets noted so far in this file (value → where it was seen). */
export function watchedSecrets(): ReadonlyMap<string, string> {
  return state.secrets;
}

/** Each secret found in the places, with a short excerpt around it (the secret itself shown as «…»). */
export function leaksIn(places: Place[], secrets: ReadonlyMap<string, string> = state.secrets): Leak[] {
  const leaks: Leak[] = [];
  const candidates = [...secrets].filter(([value]) => !state.ordinary.has(value));
  for (const place of places) {
    if (!place.texts.length) continue;
    const text = place.texts.join('\n');
    for (const [value, what] of candidates) {
      const at = text.indexOf(value);
      if (at < 0) continue;
      let where = place.label;
      if (place.notes) {
        // Which answer: count the texts before the hit.
        let offset = 0;
        for (const [i, t] of place.texts.entries()) {
          if (at < offset + t.length + 1) {
            where = `${place.label}: ${place.notes[i]}`;
            break;
          }
          offset += t.length + 1;
        }
      }
      const excerpt = text.slice(Math.max(0, at - 160), at + value.length + 80).split(value).join(`«${what}»`);
      leaks.push({ secret: what, where, excerpt });
    }
  }
  return leaks;
}

const placesOf = (server: WatchedServer) => [server.log, server.errors, server.audit, server.metrics];

function fail(leaks: Leak[]): void {
  if (!leaks.length) return;
  const lines = leaks.slice(0, 10).map((l) => `- ${l.secret} in the ${l.where}:\n    …${l.excerpt}…`);
  throw new Error(`secrets leaked (${leaks.length}; test/support/secrets.ts explains the check):\n${lines.join('\n')}`);
}

/** Fails when a secret noted so far is in this server's log, error answers, audit log or metrics. */
export function checkServer(server: WatchedServer): void {
  const leaks = leaksIn(placesOf(server));
  // Reported once: the file's last check does not repeat it.
  if (leaks.length) state.servers.delete(server.url);
  fail(leaks);
}

/**
 * Once more when the file ends (billrelay.ts runs it after all), with every secret the file saw: a
 * secret noted after a server closed (a key another process read, say) is still looked for in what
 * that server said, and so are error answers from servers the harness did not start.
 */
export function checkFile(): void {
  const started = performance.now();
  const places = [...[...state.servers.values()].flatMap(placesOf), state.strayErrors];
  const leaks = leaksIn(places);
  if (process.env.SECRET_WATCH_STATS) {
    const bytes = places.reduce((n, p) => n + p.texts.reduce((m, t) => m + t.length, 0), 0);
    const lines = [...state.servers.values()].reduce((n, s) => n + s.log.texts.length, 0);
    console.info(`secret watch: ${state.secrets.size} secrets, ${state.ordinary.size} ordinary values, ${lines} log lines, ${(bytes / 1e6).toFixed(1)} MB searched in ${(performance.now() - started).toFixed(0)} ms`);
  }
  fail(leaks);
}
