// Guards target parsing: stdio command lines split like a shell would, with
// no shell ever run, and clear errors for unusable targets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTarget, splitCommandLine } from '../../src/client/target.js';
import { TargetError } from '../../src/errors.js';

test('http targets', () => {
  const t = parseTarget('http://127.0.0.1:3001/mcp');
  assert.equal(t.kind, 'http');
});

test('stdio targets split into argv', () => {
  assert.deepEqual(parseTarget('stdio:node dist/cli/main.js serve "my config.yaml" --stdio'), {
    kind: 'stdio',
    command: 'node',
    args: ['dist/cli/main.js', 'serve', 'my config.yaml', '--stdio'],
  });
  assert.deepEqual(splitCommandLine(`a 'b c' "d \\"e\\"" f\\ g ''`), ['a', 'b c', 'd "e"', 'f g', '']);
  assert.deepEqual(splitCommandLine('echo $(whoami) ; ls'), ['echo', '$(whoami)', ';', 'ls']);
});

test('unusable targets', () => {
  assert.throws(() => parseTarget('stdio:'), TargetError);
  assert.throws(() => parseTarget('ftp://x'), TargetError);
  assert.throws(() => parseTarget('not a url'), TargetError);
  assert.throws(() => splitCommandLine('a "b'), /Unterminated/);
});
