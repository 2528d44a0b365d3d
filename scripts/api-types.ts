// `npm run api-types`: regenerates web/src/api/schema.d.ts from the server's OpenAPI document.
import fs from 'node:fs';
import { generateApiTypes, SCHEMA_FILE } from './api-types-lib.js';

const text = await generateApiTypes();
const before = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, 'utf8') : '';
fs.writeFileSync(SCHEMA_FILE, text);
console.log(`${SCHEMA_FILE}: ${before === text ? 'unchanged' : 'written'} (${text.length} characters)`);
