// Guards the config contract: every error names the file and the line, typos
// in keys are errors, placeholders must name parameters, relative paths
// resolve against the config's folder.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { httpOptionsOf } from '../../src/runner/buildServer.js';
import { parseConfig } from '../../src/runner/config.js';
import { ConfigError } from '../../src/errors.js';

const FILE = '/srv/conf/sluice.yaml';

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, FILE);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

test('parses the documented shape and resolves relative paths', () => {
  const config = parseConfig(
    `tools:
  - name: count
    description: Counts to n
    command: node
    args: ["scripts/count.mjs", "{{n}}"]
    parameters:
      n: { type: integer, minimum: 1 }
    required: [n]
    timeout: 5m
  - name: local
    description: A local script
    command: ./bin/run.sh
resources:
  - name: logs
    uri: logs://{path}
    directory: ./logs
sessions: { ttl: 30m, max: 10000 }
`,
    FILE,
  );
  assert.equal(config.tools[0]!.timeoutMs, 300_000);
  assert.equal(config.tools[0]!.cwd, '/srv/conf');
  assert.equal(config.tools[0]!.command, 'node');
  assert.equal(config.tools[1]!.command, '/srv/conf/bin/run.sh');
  assert.equal(config.resources[0]!.directory, '/srv/conf/logs');
  assert.deepEqual(config.sessions, {
    ttlMs: 1_800_000,
    max: 10_000,
    hibernateMs: undefined,
    cancelOnDisconnect: undefined,
    retryMs: undefined,
    keepAliveMs: undefined,
    eventLog: {},
  });
});

test('an unknown key is an error on its line', () => {
  const e = errorOf(`tools:
  - name: count
    description: d
    command: node
    paramters: {}
`);
  assert.equal(e.line, 5);
  assert.match(e.message, /^\/srv\/conf\/sluice\.yaml:5: tools\[0\]\.paramters: unknown key "paramters"/);
});

test('a placeholder that names no parameter is an error', () => {
  const e = errorOf(`tools:
  - name: t
    description: d
    command: node
    args:
      - "{{missing}}"
`);
  assert.equal(e.line, 6);
  assert.match(e.message, /\{\{missing\}\} is not one of the parameters/);
});

test('a missing required field points at its entry', () => {
  const e = errorOf(`tools:
  - name: t
    command: node
`);
  assert.equal(e.line, 2);
  assert.match(e.message, /description: must be a non-empty string/);
});

test('invalid YAML is reported with its line', () => {
  const e = errorOf('tools:\n  - name: [unclosed\n');
  assert.ok(e.line !== undefined && e.line >= 2, `line ${e.line}`);
  assert.match(e.message, /invalid YAML/);
});

test('bad durations, names and resources are refused', () => {
  assert.match(errorOf('tools:\n  - {name: t, description: d, command: x, timeout: soon}\n').message, /duration/);
  assert.match(errorOf('tools:\n  - {name: "a b", description: d, command: x}\n').message, /may use only/);
  assert.match(errorOf('resources:\n  - {name: r, uri: "logs://{path}"}\n').message, /exactly one of directory: or file:/);
  assert.match(errorOf('resources:\n  - {name: r, uri: "logs://x", directory: d}\n').message, /one variable at the end/);
  assert.match(errorOf('tools:\n  - {name: t, description: d, command: x}\n  - {name: t, description: d, command: x}\n').message, /duplicate tool name/);
  assert.match(errorOf('sessions: { ttl: 1m, max: 0 }\n').message, /sessions\.max: must be an integer >= 1/);
  assert.match(errorOf('sessions: { cancelOnDisconnect: sometimes }\n').message, /cancelOnDisconnect: must be true or false/);
  assert.equal(parseConfig('sessions: { cancelOnDisconnect: true }\n', FILE).sessions.cancelOnDisconnect, true);
  assert.match(errorOf('sessions: { eventLog: { maxEvents: 0 } }\n').message, /sessions\.eventLog\.maxEvents: must be an integer >= 1/);
  assert.match(errorOf('sessions: { eventLog: { size: 3 } }\n').message, /size/);
});

test('progress rate, globally and per tool', () => {
  const config = parseConfig(
    'progress: { perSecond: 2 }\ntools:\n  - { name: t, description: d, command: x, progress: { perSecond: 0 } }\n',
    FILE,
  );
  assert.equal(config.progressPerSecond, 2);
  assert.equal(config.tools[0]!.progressPerSecond, 0);
  assert.match(errorOf('progress: { perSecond: -1 }\n').message, /progress\.perSecond: must be a number >= 0/);
});

test('backpressure, globally and per tool', () => {
  const config = parseConfig(
    'backpressure: { partial: drop-oldest, stallTimeout: 30s }\ntools:\n  - { name: t, description: d, command: x, backpressure: { partial: block } }\n',
    FILE,
  );
  assert.deepEqual(config.backpressure, { partial: 'drop-oldest', stallTimeoutMs: 30_000 });
  assert.deepEqual(config.tools[0]!.backpressure, { partial: 'block' });
  assert.match(errorOf('backpressure: { partial: sometimes }\n').message, /backpressure\.partial: must be one of block, drop-newest, drop-oldest, coalesce-latest/);
});

test('sessions: retry, keepAlive and the event log bounds reach the HTTP options', () => {
  const config = parseConfig('sessions: { retry: 2s, keepAlive: 10s, eventLog: { maxEvents: 100, maxAge: 1m, maxBytes: 1024, maxStreams: 5 } }\n', FILE);
  assert.deepEqual(httpOptionsOf(config), {
    retryMs: 2000,
    keepAliveMs: 10_000,
    eventLog: { maxEvents: 100, maxAgeMs: 60_000, maxBytes: 1024, maxStreams: 5 },
  });
  assert.deepEqual(httpOptionsOf(parseConfig('sessions: { hibernate: 45s }\n', FILE)), { sessions: { hibernateMs: 45_000 } });
  assert.match(errorOf('sessions: { hibernate: soon }\n').message, /sessions\.hibernate: /);
});

test('schema, regex, duplicate URIs and durations are checked at load, each on its line', () => {
  const schema = errorOf('tools:\n  - name: t\n    description: d\n    command: x\n    parameters:\n      n: { type: strin }\n');
  assert.equal(schema.line, 6);
  assert.match(schema.message, /tools\[0\]\.parameters: invalid JSON Schema: .*strin/);
  const regex = errorOf('tools:\n  - name: t\n    description: d\n    command: x\n    parameters:\n      n: { type: string, pattern: "([" }\n');
  assert.match(regex.message, /invalid JSON Schema: Invalid regular expression/);
  const uris = errorOf('resources:\n  - { name: a, uri: "x://one", file: a.txt }\n  - { name: b, uri: "x://one", file: b.txt }\n');
  assert.equal(uris.line, 3);
  assert.match(uris.message, /resources\[1\]\.uri: duplicate resource URI "x:\/\/one"/);
  const long = errorOf('tools:\n  - { name: t, description: d, command: x, timeout: 100000h }\n');
  assert.match(long.message, /tools\[0\]\.timeout: "100000h" is too long: at most 2147483647 ms/);
  assert.match(errorOf('sessions: { ttl: 9999999999 }\n').message, /sessions\.ttl: .* too long/);
});

test('placeholders and required names are own parameters, never Object.prototype members', () => {
  const placeholder = errorOf('tools:\n  - name: t\n    description: d\n    command: x\n    args: ["{{constructor}}"]\n');
  assert.match(placeholder.message, /\{\{constructor\}\} is not one of the parameters/);
  assert.match(errorOf('tools:\n  - { name: t, description: d, command: x, required: [toString] }\n').message, /"toString" is not one of the parameters/);
  assert.match(errorOf('tools:\n  - { name: t, description: d, command: x, parameters: { __proto__: { type: string } } }\n').message, /__proto__/);
});

test('with checkPaths (what loadConfig does), missing commands, cwd and folders are errors on their line', () => {
  const text = (tool: string, extra = '') => `tools:\n  - name: t\n    description: d\n${tool}${extra}`;
  const checked = (t: string) => {
    try {
      parseConfig(t, '/tmp/sluice.yaml', { checkPaths: true });
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error;
    }
    assert.fail('expected a ConfigError');
  };
  const missing = checked(text('    command: sluice-no-such-command\n'));
  assert.equal(missing.line, 4);
  assert.match(missing.message, /tools\[0\]\.command: command "sluice-no-such-command" was not found in PATH/);
  assert.match(checked(text('    command: ./nope.sh\n')).message, /\/tmp\/nope\.sh does not exist or is not an executable file/);
  const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
  writeFileSync(join(dir, 'plain.txt'), 'not a program');
  assert.match(checked(text(`    command: ${join(dir, 'plain.txt')}\n`)).message, /plain\.txt does not exist or is not an executable file/);
  rmSync(dir, { recursive: true });
  const cwd = checked(text('    command: node\n', '    cwd: ./no-such-folder\n'));
  assert.equal(cwd.line, 5);
  assert.match(cwd.message, /tools\[0\]\.cwd: \/tmp\/no-such-folder does not exist/);
  const folder = checked('resources:\n  - { name: r, uri: "x://{path}", directory: ./no-such-folder }\n');
  assert.match(folder.message, /resources\[0\]\.directory: \/tmp\/no-such-folder does not exist/);
  assert.equal(parseConfig(text('    command: node\n'), '/tmp/sluice.yaml', { checkPaths: true }).tools[0]!.command, 'node');
  assert.doesNotThrow(() => parseConfig(text('    command: sluice-no-such-command\n'), FILE), 'without checkPaths nothing on disk is looked at');
});

test('progress heartbeat and script limits, globally and per tool', () => {
  const config = parseConfig(
    'progress: { heartbeat: 20s }\nscripts: { maxConcurrent: 4, maxQueued: 0 }\nspool: { ttl: 10m, maxBytesPerRun: 1024, maxTotalBytes: 4096 }\ntools:\n  - { name: t, description: d, command: x, concurrency: 2, progress: { heartbeat: 0 } }\n  - { name: u, description: d, command: x, progress: { heartbeat: off } }\n',
    FILE,
  );
  assert.equal(config.heartbeatMs, 20_000);
  assert.equal(config.tools[0]!.heartbeatMs, 0);
  assert.equal(config.tools[1]!.heartbeatMs, 0);
  assert.equal(config.tools[0]!.concurrency, 2);
  assert.deepEqual(config.scripts, { maxConcurrent: 4, maxQueued: 0 });
  assert.deepEqual(config.spool, { ttlMs: 600_000, maxBytesPerRun: 1024, maxTotalBytes: 4096 });
  assert.match(errorOf('tools:\n  - { name: t, description: d, command: x, concurrency: 0 }\n').message, /concurrency: must be an integer >= 1/);
  assert.match(errorOf('progress: { heartbeat: soon }\n').message, /progress\.heartbeat: must be a duration/);
});

test('store: a Redis URL or { url, prefix, nodeTimeout }; memory or nothing is none; anything else names itself', () => {
  assert.equal(parseConfig('tools: []\n', FILE).store, undefined);
  assert.equal(parseConfig('store: memory\n', FILE).store, undefined);
  assert.deepEqual(parseConfig('store: redis://10.0.0.5:6379/2\n', FILE).store, { url: 'redis://10.0.0.5:6379/2', prefix: undefined, nodeTimeoutMs: undefined });
  assert.deepEqual(parseConfig('store: { url: "rediss://h:6380", prefix: "svc:", nodeTimeout: 4s }\n', FILE).store, { url: 'rediss://h:6380', prefix: 'svc:', nodeTimeoutMs: 4000 });
  assert.match(errorOf('store: postgres://x\n').message, /store: must be memory or a redis:\/\/HOST:PORT\[\/DB\] URL/);
  assert.match(errorOf('store: { url: "redis://h", timeout: 3s }\n').message, /store\.timeout: unknown key/);
  assert.match(errorOf('store: { url: "redis://h", nodeTimeout: soon }\n').message, /store\.nodeTimeout: must be a duration/);
});
