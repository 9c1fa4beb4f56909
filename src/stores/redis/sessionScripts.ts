/**
 * The Lua scripts of {@link RedisSessionStore}. Keys (prefix `p`):
 * - `p s:{<id>}` HASH: `r` (the record as JSON, without `lastSeen`), `t` (last activity, ms);
 * - `p sessions` ZSET: every session by last activity (count, idle order, the cap).
 *
 * KEYS[1] is the session's hash; ARGV[1] the index.
 *
 * @module
 */

/** ARGV: index, id, record JSON, lastSeen, max (0 = no cap) → 1, or 0 when the cluster is at its cap. */
const CREATE = `
local max = tonumber(ARGV[5])
if max > 0 and redis.call('ZSCORE', ARGV[1], ARGV[2]) == false and redis.call('ZCARD', ARGV[1]) >= max then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[3], 't', ARGV[4])
redis.call('ZADD', ARGV[1], ARGV[4], ARGV[2])
return 1
`;

/** ARGV: index, id, at → 1 when the session exists (its activity moved forward), 0 when it is gone. */
const TOUCH = `
local t = redis.call('HGET', KEYS[1], 't')
if not t then return 0 end
if tonumber(ARGV[3]) > tonumber(t) then
  redis.call('HSET', KEYS[1], 't', ARGV[3])
  redis.call('ZADD', ARGV[1], ARGV[3], ARGV[2])
end
return 1
`;

/** ARGV: index, id → 1 when it existed. */
const DELETE = `
redis.call('ZREM', ARGV[1], ARGV[2])
return redis.call('DEL', KEYS[1])
`;

export const SESSION_SCRIPTS = { slSessionCreate: CREATE, slSessionTouch: TOUCH, slSessionDelete: DELETE } as const;
