import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { App } from './app.js';

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>billrelay</title></head>
<body><h1>billrelay</h1><p>The web UI has not been built. Run <code>npm run build</code>; the API is at <a href="/api/docs">/api/docs</a>.</p></body></html>`;

/** Serves the single-page app under /billmgr; unknown paths below it get index.html so client routing works. */
export async function webRoutes(app: App, webDir: string): Promise<void> {
  const index = path.join(webDir, 'index.html');
  const built = fs.existsSync(index);
  if (built) {
    await app.register(fastifyStatic, { root: webDir, prefix: '/billmgr/', decorateReply: false, index: false, wildcard: false });
  }
  const sendIndex = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    built ? reply.type('text/html').send(await fs.promises.readFile(index)) : reply.type('text/html').send(NOT_BUILT);
  app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/billmgr/'));
  app.get('/billmgr', { schema: { hide: true } }, sendIndex);
  app.get('/billmgr/', { schema: { hide: true } }, sendIndex);
  // Built files have their own routes (wildcard: false); any other path is a client-side route.
  app.get('/billmgr/*', { schema: { hide: true } }, sendIndex);
}
