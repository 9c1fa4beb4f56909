// Bundles the `sluice` command (dist/cli/main.js, compiled by tsc) into
// dist/bin/: one module for the command line, and one chunk per command and
// library, loaded when a command needs it.
//
// Why: the CLI starts as a user types it, and on Node 20 a command's start is
// mostly module loading. Unbundled, `sluice call` resolves, reads, compiles and
// links some 300 files (zod alone is a hundred); bundled and minified, 15. Measured in docs/benchmarks.md ("Starting the CLI"). The library
// (`mcp-sluice`, `mcp-sluice/client`…) is not bundled: it is what tsc wrote.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/**
 * zod's `locales` namespace holds the error messages of some fifty languages
 * (about 260 KB of the minified bundle, parsed at every start). Nothing in sluice or the
 * SDK reads `z.locales`; zod configures English itself, from `locales/en.js`.
 * The namespace is reduced to English.
 */
const englishZodLocales = {
  name: 'english-zod-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";', loader: 'js', resolveDir: join(root, 'node_modules/zod/v4/locales') }));
  },
};
const outdir = join(root, 'dist/bin');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { sluice: join(root, 'dist/cli/main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Stack traces stay readable under `node --enable-source-maps`.
  sourcemap: 'linked',
  outExtension: { '.js': '.mjs' },
  // CommonJS libraries in an ES module bundle still `require` Node's built-ins.
  banner: { js: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);" },
  plugins: [englishZodLocales],
  logLevel: 'warning',
});
