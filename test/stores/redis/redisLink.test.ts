// Redis URLs: host, port, database, user and password, TLS; anything else is refused naming the option.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidOptionError } from '../../../src/errors.js';
import { parseRedisUrl } from '../../../src/stores/redis/redisLink.js';

test('redis:// and rediss:// URLs become connection options', () => {
  assert.deepEqual(parseRedisUrl('redis://10.0.0.5:6380/3'), { host: '10.0.0.5', port: 6380, db: 3 });
  assert.deepEqual(parseRedisUrl('redis://h'), { host: 'h', port: 6379, db: 0 });
  assert.deepEqual(parseRedisUrl('rediss://bob:p%40ss@h:6390'), { host: 'h', port: 6390, db: 0, username: 'bob', password: 'p@ss', tls: {} });
});

test('a URL that is not Redis, or names its database by anything but a number, is refused', () => {
  for (const url of ['postgres://h:5432', 'not a url', 'redis://h:6379/cache']) {
    assert.throws(() => parseRedisUrl(url), InvalidOptionError, url);
  }
});
