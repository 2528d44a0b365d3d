// Builds the single-page app that billrelay serves under /billmgr (see src/platform/http/web.ts).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/billmgr/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
  },
  server: {
    // `npx vite --config web/vite.config.ts` next to a running billrelay on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
