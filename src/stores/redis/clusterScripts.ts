/**
 * The Lua scripts of {@link RedisCluster}. Keys (prefix `p`):
 * - `p nodes` ZSET: node id → last heartbeat (Redis's own clock, ms);
 * - `p n:<node>:owned` SET: `[session, request, stream]` (JSON) of every call the node runs;
 * - `p s:{<session>}:calls` HASH: request id (JSON) → `<node>|<stream>`;
 * - `p s:{<session>}:cx:<request>` STRING: a cancellation that may precede its request (60 s).
 *
 * @module
 */

/** Redis's clock in ms: every node compares heartbeats on one clock. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS[1]: calls. ARGV: cancel marker, request, `<node>|<stream>` → 'ok' | 'cancelled' | 'taken'. */
const CLAIM = `
if redis.call('DEL', ARGV[1]) == 1 then return 'cancelled' end
if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) == 0 then return 'taken' end
redis.call('PEXPIRE', KEYS[1], 86400000)
return 'ok'
`;

/** KEYS[1]: calls. ARGV: cancel marker, request, node. */
const RELEASE = `
redis.call('DEL', ARGV[1])
local owner = redis.call('HGET', KEYS[1], ARGV[2])
if owner and string.sub(owner, 1, #ARGV[3] + 1) == ARGV[3] .. '|' then redis.call('HDEL', KEYS[1], ARGV[2]) end
return 1
`;

/** KEYS[1]: calls. ARGV: cancel marker, request, reason → the owner (`<node>|<stream>`) or ''. */
const CANCEL = `
redis.call('SET', ARGV[1], ARGV[3], 'PX', 60000)
return redis.call('HGET', KEYS[1], ARGV[2]) or ''
`;

/** KEYS[1]: nodes. ARGV: node, 'join' | 'beat' → Redis's time, or -1 when a beat finds the node gone (presumed dead). */
const BEAT =
  NOW +
  `
if ARGV[2] == 'beat' and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
redis.call('ZADD', KEYS[1], now, ARGV[1])
return now
`;

/** KEYS[1]: nodes. ARGV: timeout ms → the nodes this call took off the list (each is reaped by one node only). */
const REAP =
  NOW +
  `
local dead = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])))) do
  if redis.call('ZREM', KEYS[1], node) == 1 then table.insert(dead, node) end
end
return dead
`;

/** KEYS[1]: calls. ARGV: request, dead node → 1 when the dead node's claim was removed. */
const DISOWN = `
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner and string.sub(owner, 1, #ARGV[2] + 1) == ARGV[2] .. '|' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
`;

export const CLUSTER_SCRIPTS = {
  slClaim: CLAIM,
  slRelease: RELEASE,
  slCancel: CANCEL,
  slBeat: BEAT,
  slReap: REAP,
  slDisown: DISOWN,
} as const;
