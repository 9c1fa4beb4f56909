// docs/deploy/alerts.yml names only series sluice exports, with labels they have. Guards against
// alerts that never fire because a metric was renamed (the rule stays valid PromQL, and silent).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { connect } from '../../src/client/index.js';
import { ROOT, startExample } from '../helpers/servers.js';

test('every sluice_* series and label in the example alerts is in /metrics', async () => {
  const rules = (parse(readFileSync(join(ROOT, 'docs/deploy/alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules);
  const server = await startExample();
  try {
    const client = await connect(server.url);
    await client.callTool('echo', { text: 'x' });
    await client.close();
    const exposition = await (await fetch(server.url.replace(/\/mcp$/, '/metrics'))).text();
    const exported = new Map<string, Set<string>>();
    for (const line of exposition.split('\n')) {
      const match = /^(sluice_[a-z_]+)(?:\{([^}]*)\})?/.exec(line);
      if (match === null) continue;
      const labels = exported.get(match[1]!) ?? new Set<string>();
      for (const [, key] of (match[2] ?? '').matchAll(/([a-z_]+)="/g)) labels.add(key!);
      exported.set(match[1]!, labels);
    }
    let named = 0;
    for (const rule of rules) {
      for (const [, name, selector] of rule.expr.matchAll(/(sluice_[a-z_]+)(?:\{([^}]*)\})?/g)) {
        named++;
        assert.ok(exported.has(name!), `${rule.alert}: ${name} is not exported`);
        for (const [, key] of (selector ?? '').matchAll(/([a-z_]+)=/g)) assert.ok(exported.get(name!)!.has(key!), `${rule.alert}: ${name} has no label ${key}`);
      }
    }
    assert.ok(named >= 10, 'the rules name sluice series');
  } finally {
    await server.close();
  }
});
