// The committed API types of the web UI must match what the server publishes: regenerate them with
// `npm run api-types` after changing a route or a schema.
import fs from 'node:fs';
import { expect, test } from 'vitest';
import { generateApiTypes, SCHEMA_FILE } from '../../scripts/api-types-lib.js';

test('web/src/api/schema.d.ts is generated from the current OpenAPI document', async () => {
  const fresh = await generateApiTypes();
  const committed = fs.readFileSync(SCHEMA_FILE, 'utf8');
  // A plain equality would print two 300 kB strings; say where they part instead.
  if (fresh !== committed) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    expect.fail(
      `web/src/api/schema.d.ts is stale: run \`npm run api-types\` (first difference at line ${line + 1}:\n` +
        `  committed: ${a[line] ?? '(end of file)'}\n  generated: ${b[line] ?? '(end of file)'})`,
    );
  }
}, 60_000);
