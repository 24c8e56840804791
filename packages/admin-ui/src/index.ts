// The brand admin page, built from source by the gateway when it first serves it: one esbuild pass (tens of
// milliseconds) turns `src/app` (Preact, TSX) into a script and a stylesheet held in memory, so the page
// needs no build step of its own and can never be older than the gateway serving it.

import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface AdminAsset {
  body: string;
  contentType: string;
  /** A hash of the body: the page links to it (`?v=`), so browsers may cache each version for good. */
  version: string;
}

export interface AdminAssets {
  script: AdminAsset;
  stylesheet: AdminAsset;
}

// Resolved through the package name, so it is found from the gateway's source and from its bundled dist.
const entry = () => fileURLToPath(import.meta.resolve('@adsync/admin-ui/app'));

function asset(body: string, contentType: string): AdminAsset {
  return { body, contentType, version: createHash('sha256').update(body).digest('base64url').slice(0, 16) };
}

export async function bundleAdminUi(): Promise<AdminAssets> {
  const result = await build({
    entryPoints: [entry()],
    bundle: true,
    write: false,
    outdir: 'admin',
    format: 'esm',
    target: 'es2022',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = result.outputFiles.find((file) => file.path.endsWith('.js'));
  const stylesheet = result.outputFiles.find((file) => file.path.endsWith('.css'));
  if (script === undefined || stylesheet === undefined) throw new Error('the admin page did not build');
  return {
    script: asset(script.text, 'text/javascript; charset=utf-8'),
    stylesheet: asset(stylesheet.text, 'text/css; charset=utf-8'),
  };
}
