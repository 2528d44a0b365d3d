// Secrets at rest (upstream passwords): AES-256-GCM. Each ciphertext names the key it was sealed with,
// so a rotation can keep the old key readable until every secret is re-encrypted.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';
const KEY_FILE = 'secret.key';

export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export function parseKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) throw new SecretKeyError('A secret key must be 32 bytes, written as 64 hex digits or base64');
  return key;
}

export class SecretBox {
  /** The first key seals; all of them open. */
  constructor(private readonly keys: Buffer[]) {
    if (!keys.length) throw new SecretKeyError('no secret key');
  }

  get currentKeyId(): string {
    return keyIdOf(this.keys[0]!);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.currentKeyId, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !keyId || !iv || !tag || body === undefined) throw new SecretKeyError('not a sealed secret');
    const key = this.keys.find((k) => keyIdOf(k) === keyId);
    if (!key) throw new SecretKeyError(`secret sealed with key ${keyId}, which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }

  /** A key for another purpose (e.g. signing webhooks) derived from the current key, never the key itself. */
  deriveKey(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.keys[0]!, Buffer.alloc(0), `billrelay:${purpose}`, 32));
  }

  isSealedWithCurrentKey(sealed: string): boolean {
    return sealed.split(':')[1] === this.currentKeyId;
  }
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, KEY_FILE);
}

function readKeyFile(file: string): Buffer[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map(parseKey);
}

/** Writes key lines to the key file atomically, readable by the owner only. */
export function writeKeyFile(file: string, keys: Buffer[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, keys.map((k) => k.toString('base64')).join('\n') + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/**
 * The configured keys: BILLRELAY_SECRET_KEY (plus BILLRELAY_PREVIOUS_SECRET_KEYS, comma-separated, while
 * rotating), else the key file in the data directory, created with mode 0600 on first start.
 */
export function loadSecretBox(options: { secretKey?: string; previousKeys?: string; dataDir: string }): SecretBox {
  if (options.secretKey) {
    const previous = (options.previousKeys ?? '').split(',').filter((k) => k.trim()).map(parseKey);
    return new SecretBox([parseKey(options.secretKey), ...previous]);
  }
  const file = keyFilePath(options.dataDir);
  if (!fs.existsSync(file)) writeKeyFile(file, [randomBytes(32)]);
  return new SecretBox(readKeyFile(file));
}
