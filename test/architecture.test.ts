// Guards the layering of src/ (DESIGN.md): each layer imports only from the
// layers before it; flow/ uses web-standard APIs only (no node: imports, no
// packages); protocol/ has no dependencies; only the CLI prints.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const SRC = resolve(import.meta.dirname, '../src');
const LAYERS = ['flow', 'protocol', 'stores', 'server', 'transports', 'client', 'agent', 'runner', 'cli'];
/** Files at the root of src/ every layer may use (they import nothing from the layers), and the barrel. */
const SHARED = new Set(['defaults.ts', 'errors.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every module specifier in a source text: `import … from`, `export … from`, `import type`,
 * side-effect `import 'x'`, dynamic `import('x')` (quotes or backticks), `require('x')` and
 * `import x = require('x')`.
 */
function specifiersOf(text: string): string[] {
  const forms = [
    /(?:^|[;\s])(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /(?:^|[;\s])import\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]/g,
  ];
  return forms.flatMap((form) => [...text.matchAll(form)].map((m) => m[1]!));
}

function importsOf(file: string): string[] {
  return specifiersOf(readFileSync(file, 'utf8'));
}

test('the import scanner sees every import form', () => {
  const sample = [
    "import a from './a.js';",
    "import { b,\n  c } from './b.js';",
    "import type { D } from './d.js';",
    "import './e.js';",
    "export { f } from './f.js';",
    "export * from './g.js';",
    "const h = await import('./h.js');",
    'const i = await import(`./i.js`);',
    "const j = require('./j.js');",
    "import k = require('./k.js');",
  ].join('\n');
  assert.deepEqual(specifiersOf(sample).sort(), ['./a.js', './b.js', './d.js', './e.js', './f.js', './g.js', './h.js', './i.js', './j.js', './k.js']);
});

function layerOf(file: string): string | undefined {
  const rel = relative(SRC, file);
  const top = rel.split('/')[0]!;
  return LAYERS.includes(top) ? top : undefined;
}

test('each layer imports only from layers before it', () => {
  const violations: string[] = [];
  for (const file of files(SRC)) {
    const layer = layerOf(file);
    const rel = relative(SRC, file);
    for (const spec of importsOf(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      const targetRel = relative(SRC, target);
      if (SHARED.has(targetRel)) continue;
      const targetLayer = layerOf(target);
      if (layer === undefined) {
        if (SHARED.has(rel)) violations.push(`${rel} is shared and must not import ${targetRel}`);
        continue; // the barrel (index.ts) may re-export anything
      }
      if (targetLayer === undefined) {
        violations.push(`${rel} imports ${targetRel}, which is outside the layers`);
      } else if (LAYERS.indexOf(targetLayer) > LAYERS.indexOf(layer)) {
        violations.push(`${rel} (${layer}) reaches up into ${targetRel} (${targetLayer})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('flow/ and protocol/ have no dependencies and no node: imports', () => {
  for (const layer of ['flow', 'protocol']) {
    for (const file of files(join(SRC, layer))) {
      for (const spec of importsOf(file)) {
        assert.ok(spec.startsWith('.'), `${relative(SRC, file)} imports ${spec}`);
      }
    }
  }
});

test('the client never imports server code', () => {
  for (const file of files(join(SRC, 'client'))) {
    for (const spec of importsOf(file)) {
      assert.ok(!spec.includes('@modelcontextprotocol/server'), `${relative(SRC, file)} imports ${spec}`);
      assert.ok(!/\/(server|transports|runner)\//.test(spec), `${relative(SRC, file)} imports ${spec}`);
    }
  }
});

test('no console.* outside the CLI', () => {
  for (const file of files(SRC)) {
    if (relative(SRC, file).startsWith('cli/')) continue;
    assert.doesNotMatch(readFileSync(file, 'utf8'), /\bconsole\./, relative(SRC, file));
  }
});

test('the layering test itself catches a violation', () => {
  // A file in flow/ importing server/ must be reported: checked on a synthetic path.
  const fake = join(SRC, 'flow', 'x.ts');
  const target = resolve(dirname(fake), '../server/sluiceServer.ts');
  assert.ok(LAYERS.indexOf(layerOf(target)!) > LAYERS.indexOf(layerOf(fake)!));
});
