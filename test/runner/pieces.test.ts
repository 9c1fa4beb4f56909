// Guards the small parsers of the runner: durations, `::progress` lines, and
// argv building (one element per configured element, never split, own
// arguments only), and argument validation that ignores Object.prototype.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/runner/duration.js';
import { parseProgressLine } from '../../src/runner/progressLine.js';
import { buildArgv } from '../../src/runner/scriptTool.js';
import { compileArgumentValidator } from '../../src/server/jsonSchema.js';

test('durations', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration(5), 5000);
  assert.equal(parseDuration('5'), 5000);
  for (const bad of ['', 'soon', '5 m', '-1s', 0, null, '1d']) assert.equal(parseDuration(bad), undefined, String(bad));
});

test('progress lines', () => {
  assert.deepEqual(parseProgressLine('::progress 3/10 reading rows'), { progress: 3, total: 10, message: 'reading rows' });
  assert.deepEqual(parseProgressLine('::progress 2.5'), { progress: 2.5 });
  assert.deepEqual(parseProgressLine('::progress 7 halfway'), { progress: 7, message: 'halfway' });
  assert.equal(parseProgressLine('::progress'), undefined);
  assert.equal(parseProgressLine('::progress abc'), undefined);
  assert.equal(parseProgressLine('progress 1/2'), undefined);
  assert.equal(parseProgressLine(' ::progress 1/2'), undefined);
});

test('argv: placeholders are replaced inside their element, never split', () => {
  assert.deepEqual(buildArgv(['run', '{{text}}', '--n={{n}}'], { text: 'a b; $(rm -rf /) "q"', n: 5 }), [
    'run',
    'a b; $(rm -rf /) "q"',
    '--n=5',
  ]);
  assert.deepEqual(buildArgv(['{{obj}}', '{{flag}}'], { obj: { a: [1] }, flag: false }), ['{"a":[1]}', 'false']);
});

test('argv: an element whose placeholder is absent is left out', () => {
  assert.deepEqual(buildArgv(['x', '--limit={{limit}}', '{{opt}}'], {}), ['x']);
});

test('optional arguments named like Object.prototype members are neither required nor filled in', () => {
  const validate = compileArgumentValidator({ type: 'object', properties: { constructor: { type: 'string' }, toString: { type: 'integer' } } });
  assert.deepEqual(validate({}), [], 'absent optional arguments are not validated');
  assert.equal(validate({ toString: 'x' }).length, 1, 'present ones still are');
  assert.deepEqual(buildArgv(['--c={{constructor}}', 'plain'], {}), ['plain'], 'an absent optional argument leaves its element out');
  assert.deepEqual(buildArgv(['--c={{constructor}}'], { constructor: 'ok' }), ['--c=ok']);
});
