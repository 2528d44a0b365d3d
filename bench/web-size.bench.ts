// What a browser downloads to show /billmgr the first time, gzipped as a server would send it: index.html,
// the entry script with its static imports and the stylesheet, the first language's words (the larger catalog),
// plus the chunks of the first page shown (the
// login form for a visitor, the dashboard after login), whichever is larger. Other pages are lazy chunks.
// The budget is 300 KB; ratio = budget / size, so ≥ 1 means within it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { result, type BenchResult } from './lib.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUDGET_KB = 300;

interface ManifestChunk {
  file: string;
  imports?: string[];
  css?: string[];
}

/** The files the browser fetches for index.html and then the given page, with their gzipped sizes in bytes. */
export function firstLoad(webDir: string, page: string): { file: string; gzip: number }[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(webDir, '.vite/manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit('src/main.tsx');
  // The words of the first language come before anything renders; the larger catalog counts.
  const catalogs = ['src/i18n/en.ts', 'src/i18n/ru.ts'].filter((key) => manifest[key]);
  const size = (key: string) => fs.statSync(path.join(webDir, manifest[key]!.file)).size;
  const language = catalogs.sort((a, b) => size(b) - size(a))[0];
  if (language) visit(language);
  visit(page);
  const gzip = (file: string) => gzipSync(fs.readFileSync(path.join(webDir, file))).length;
  return ['index.html', ...files].map((file) => ({ file, gzip: gzip(file) }));
}

export default async function webSize(): Promise<BenchResult> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-web-size-'));
  try {
    await build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true, manifest: true } });
    const kb = (list: { gzip: number }[]) => list.reduce((sum, f) => sum + f.gzip, 0) / 1024;
    const [files, other] = [firstLoad(outDir, 'src/pages/Login.tsx'), firstLoad(outDir, 'src/pages/Dashboard.tsx')].sort((a, b) => kb(b) - kb(a)) as [
      ReturnType<typeof firstLoad>,
      ReturnType<typeof firstLoad>,
    ];
    const total = kb(files);
    const all = fs.readdirSync(path.join(outDir, 'assets')).reduce((sum, f) => sum + gzipSync(fs.readFileSync(path.join(outDir, 'assets', f))).length, 0) / 1024;
    return result({
      name: 'web initial load (gzip)',
      unit: 'KB',
      value: total,
      baseline: BUDGET_KB,
      baselineLabel: 'budget',
      ratio: BUDGET_KB / total,
      target: 1,
      notes: [
        ...files.map((f) => `${f.file}: ${(f.gzip / 1024).toFixed(1)} KB`),
        `the other first page: ${kb(other).toFixed(1)} KB; every asset of the build: ${all.toFixed(1)} KB`,
      ],
    });
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}
