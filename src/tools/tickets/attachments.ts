// Files attached to tickets: kept under <dataDir>/attachments/<storage_key> (a random name; the
// client's file name is only stored in the row), with their type, size and sha256. The types people
// send support (screenshots, documents, logs, archives) are accepted; anything else is refused, as is
// a file above the size limit, before it is stored.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export const ATTACHMENT_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'application/zip',
  'text/csv',
  'application/json',
] as const;

export const DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

/** "10 MB", "512 KB", "900 bytes": the limit as people read it. */
export function sizeWords(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

/** The media type without parameters, lower case ("text/plain; charset=utf-8" → "text/plain"). */
export function baseType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isAllowedType(type: string): boolean {
  return (ATTACHMENT_TYPES as readonly string[]).includes(type);
}

export class AttachmentStore {
  readonly dir: string;

  constructor(dataDir: string, readonly maxBytes: number = DEFAULT_ATTACHMENT_MAX_BYTES) {
    this.dir = path.join(dataDir, 'attachments');
  }

  /** Writes the file under a new random key; its sha256 comes back with it. */
  async save(content: Buffer): Promise<{ storageKey: string; sha256: string }> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const storageKey = randomBytes(24).toString('hex');
    await fs.writeFile(this.fileOf(storageKey), content, { mode: 0o600, flag: 'wx' });
    return { storageKey, sha256: createHash('sha256').update(content).digest('hex') };
  }

  open(storageKey: string): ReadStream {
    return createReadStream(this.fileOf(storageKey));
  }

  async exists(storageKey: string): Promise<boolean> {
    try {
      await fs.access(this.fileOf(storageKey));
      return true;
    } catch {
      return false;
    }
  }

  /** Removes the file; one already gone is no error. */
  async remove(storageKey: string): Promise<void> {
    await fs.rm(this.fileOf(storageKey), { force: true });
  }

  private fileOf(storageKey: string): string {
    if (!/^[0-9a-f]{48}$/.test(storageKey)) throw new Error('bad attachment storage key');
    return path.join(this.dir, storageKey);
  }
}

/** The Content-Disposition of a download: always an attachment, the name in RFC 5987 form. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
