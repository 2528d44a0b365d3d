// Removes credentials from any upstream text before it can reach an error, a log or a screen.
// Upstream bodies (error pages, echoed `tparams`) may repeat the request, so the password can come
// back in any of the encodings a request uses.

export type Scrub = (text: string) => string;

const REDACTED = '[redacted]';
const WITHHELD = '[withheld: the text contained a credential]';

/** `authinfo=…`, `"password":"…"`, `"authinfo":{"$":"…"}`: the value after a credential-ish key. */
const CREDENTIAL_VALUE = /(authinfo|password|passwd)([^A-Za-z0-9]{1,8})([^&\s"'<>,}]+)/gi;

function encodings(secret: string): string[] {
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    htmlEscape(secret),
    secret.replace(/\s+/g, ' '), // excerpts flatten whitespace
  ]);
  // Longest first so that an encoded form is not half-replaced by a shorter one.
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function makeScrubber(password: string): Scrub {
  const forms = password ? encodings(password) : [];
  return (text: string) => {
    let out = text;
    for (const form of forms) out = out.split(form).join(REDACTED);
    out = out.replace(CREDENTIAL_VALUE, (_m, key: string, sep: string) => `${key}${sep}${REDACTED}`);
    if (!password || !out.includes(password)) return out;
    // A password that is part of the replacement text itself cannot be removed: give nothing back.
    return WITHHELD.includes(password) ? '' : WITHHELD;
  };
}

/** A short, secret-free start of a body for error reports. */
export function excerpt(text: string, scrub: Scrub, max = 200): string {
  // Flatten before scrubbing so that the scrubbed text is exactly what is returned.
  const flat = scrub(text.replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
