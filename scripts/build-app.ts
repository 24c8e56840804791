// Builds the app in the current folder into dist/main.js: our workspace code and the libraries it
// pulls in are bundled; the app's own direct dependencies stay external, because some of them (Bull
// Board's UI, Swagger UI) serve files from their package folder at run time.

import { readFileSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
  name: string;
  dependencies?: Record<string, string>;
};
const external = Object.keys(manifest.dependencies ?? {}).filter((name) => !name.startsWith('@adsync/'));
// Optional native add-ons that the bundled libraries try to load and fall back from.
const optionalNative = ['pg-native', 'msgpackr-extract', 'cpu-features'];

const keepDirectDependenciesExternal: Plugin = {
  name: 'keep-direct-dependencies-external',
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      if (name !== undefined && (external.includes(name) || optionalNative.includes(name))) {
        return { path: args.path, external: true };
      }
      return undefined;
    });
  },
};

const started = Date.now();
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  sourcemap: true,
  legalComments: 'linked',
  plugins: [keepDirectDependenciesExternal],
  // Bundled CommonJS libraries call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __adsyncCreateRequire } from 'node:module'; const require = __adsyncCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
console.log(`${manifest.name}: dist/main.js built in ${Date.now() - started} ms`);
