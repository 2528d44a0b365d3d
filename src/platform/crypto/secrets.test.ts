import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { keyFilePath, loadSecretBox, SecretBox } from './secrets.js';

describe('secrets at rest', () => {
  test('what is sealed opens again, and the ciphertext does not contain the secret', () => {
    const box = new SecretBox([randomBytes(32)]);
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (secret) => {
        const sealed = box.seal(secret);
        expect(box.open(sealed)).toBe(secret);
        if (secret.length > 3) expect(sealed).not.toContain(secret);
      }),
    );
  });

  test('a tampered ciphertext or a wrong key is refused', () => {
    const box = new SecretBox([randomBytes(32)]);
    const sealed = box.seal('upstream-password');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('x' + Buffer.from(parts[4]!, 'base64').toString('latin1'), 'latin1').toString('base64');
    expect(() => box.open(parts.join(':'))).toThrow();
    expect(() => new SecretBox([randomBytes(32)]).open(sealed)).toThrow(/not configured/);
  });

  test('the key file is created once with mode 0600 and reused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-key-'));
    const first = loadSecretBox({ dataDir: dir });
    const sealed = first.seal('p@ss');
    expect(fs.statSync(keyFilePath(dir)).mode & 0o777).toBe(0o600);
    expect(loadSecretBox({ dataDir: dir }).open(sealed)).toBe('p@ss');
    fs.rmSync(dir, { recursive: true });
  });

  test('a key from the environment must be 32 bytes', () => {
    expect(() => loadSecretBox({ dataDir: '/nonexistent', secretKey: 'short' })).toThrow(/32 bytes/);
    const hex = randomBytes(32).toString('hex');
    const box = loadSecretBox({ dataDir: '/nonexistent', secretKey: hex });
    expect(box.open(box.seal('x'))).toBe('x');
  });
});
