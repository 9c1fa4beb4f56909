// Keeps the README's defaults table and src/defaults.ts in agreement: every
// DEFAULT_* constant has a row, every row names a real constant, and the
// value shown is the value in code. (undici shows what happens otherwise.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as defaults from '../src/defaults.js';
import { formatDuration } from '../src/server/toolCall.js';

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** How the README writes a value, from the unit suffix of the constant's name. */
function shown(name: string, value: string | number): string {
  if (typeof value === 'string') return value;
  if (name.endsWith('_MS')) return formatDuration(value);
  if (name.endsWith('_BYTES')) {
    return value % (1024 * 1024) === 0 ? `${value / 1024 / 1024} MiB` : `${value / 1024} KiB`;
  }
  return String(value);
}

function rows(): Map<string, string> {
  const section = README.split('## Defaults')[1]?.split('\n## ')[0] ?? '';
  const map = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`(DEFAULT_[A-Z_]+)`$/.exec(cells[3] ?? '')?.[1];
    if (name !== undefined) map.set(name, cells[2]!);
  }
  return map;
}

test('every default is in the README table with its value', () => {
  const table = rows();
  for (const [name, value] of Object.entries(defaults)) {
    assert.ok(table.has(name), `README defaults table lacks ${name}`);
    assert.equal(table.get(name), shown(name, value), `${name} in README`);
  }
});

test('every row of the table names a real default', () => {
  for (const name of rows().keys()) assert.ok(name in defaults, `README names ${name}, which src/defaults.ts lacks`);
});
