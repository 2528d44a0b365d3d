// PostgreSQL's text cannot hold U+0000 (it refuses the whole statement) while SQLite stores it, so one
// database answered 201 and the other 500. No field has a use for it: it is refused on both, once,
// for every request (see createHttpApp), and by readers of bodies that bypass the JSON parser.
import { appError } from '../errors.js';

/** The path to the first string or key holding U+0000, or undefined when there is none. */
export function findNul(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      const found = key.includes('\u0000') ? [...path, key] : findNul(inner, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** 400 naming the field (dotted path) whose text holds U+0000; `where` names a value that is a bare string. */
export function rejectNul(value: unknown, where: string): void {
  const path = findNul(value);
  if (!path) return;
  const field = path.length ? path.map((p) => p.replace(/\u0000/g, '\\u0000')).join('.') : where;
  throw appError('validation', 'value.noNul', { field }, { field });
}
