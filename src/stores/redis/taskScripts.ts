/**
 * The Lua scripts of {@link RedisTaskStore}. Keys (prefix `p`):
 * - `p tasks:meta` HASH: `seq` (creation counter), `ended` (end counter), `bytes` (held);
 * - `p t:{<id>}` HASH: `r` (the record as JSON), `s` (status), `v` (version), `seq`,
 *   `p` (principal), `b` (bytes), `exp` (expires at, ms; 0 = never);
 * - `p tasks` ZSET: every task by creation; `p tasks:p:<principal>` the same per principal;
 *   `p tasks:ended` ZSET: finished tasks in the order they ended (the bounds take the first).
 *
 * A record is never decoded in Lua (cjson cannot tell `[]` from `{}`): a
 * change is read, made in the node and written back with a compare-and-set
 * on the version, so two racing changes cannot both apply.
 *
 * KEYS[1] is `p tasks:meta`; ARGV[1] the prefix `p`.
 *
 * @module
 */

const LIBRARY = `
local P = ARGV[1]
local META = KEYS[1]
local function tkey(id) return P .. 't:{' .. id .. '}' end
local function drop(id)
  local f = redis.call('HMGET', tkey(id), 'b', 'p')
  if f[1] then redis.call('HINCRBY', META, 'bytes', -tonumber(f[1])) end
  redis.call('DEL', tkey(id))
  redis.call('ZREM', P .. 'tasks', id)
  redis.call('ZREM', P .. 'tasks:ended', id)
  redis.call('HDEL', P .. 'tasks:runners', id)
  if f[2] then redis.call('ZREM', P .. 'tasks:p:' .. f[2], id) end
end
local function expired(id, now)
  local exp = tonumber(redis.call('HGET', tkey(id), 'exp') or '-1')
  return exp == -1 or (exp > 0 and now >= exp)
end
-- Room for 'tasks' more tasks and 'bytes' more bytes: expired tasks first (the oldest few), then the oldest finished ones.
local function room(tasks, bytes, now, maxTasks, maxBytes, keep)
  for _, id in ipairs(redis.call('ZRANGE', P .. 'tasks', 0, 99)) do
    if expired(id, now) then drop(id) end
  end
  local function over()
    return redis.call('ZCARD', P .. 'tasks') + tasks > maxTasks or tonumber(redis.call('HGET', META, 'bytes') or '0') + bytes > maxBytes
  end
  while over() do
    local oldest = redis.call('ZRANGE', P .. 'tasks:ended', 0, 1)
    local victim = oldest[1]
    if victim == keep then victim = oldest[2] end
    if not victim then return not over() end
    drop(victim)
  end
  return true
end
`;

/** ARGV: prefix, id, record JSON, bytes, principal, now, ttlMs (-1 = none), maxTasks, maxBytes, runner → 1, or 0 when full of running tasks. */
const CREATE = `
local now = tonumber(ARGV[6])
if not room(1, tonumber(ARGV[4]), now, tonumber(ARGV[8]), tonumber(ARGV[9]), nil) then return 0 end
local seq = redis.call('HINCRBY', META, 'seq', 1)
local ttl = tonumber(ARGV[7])
local exp = ttl >= 0 and (now + ttl) or 0
redis.call('HSET', tkey(ARGV[2]), 'r', ARGV[3], 's', 'working', 'v', 1, 'seq', seq, 'p', ARGV[5], 'b', ARGV[4], 'exp', exp)
redis.call('ZADD', P .. 'tasks', seq, ARGV[2])
redis.call('ZADD', P .. 'tasks:p:' .. ARGV[5], seq, ARGV[2])
redis.call('HINCRBY', META, 'bytes', tonumber(ARGV[4]))
redis.call('HSET', P .. 'tasks:runners', ARGV[2], ARGV[10])
return 1
`;

/** ARGV: prefix, id, now → {record JSON, version} or {} (none, or past its TTL). */
const GET = `
local f = redis.call('HMGET', tkey(ARGV[2]), 'r', 'v', 'exp')
if not f[1] then return {} end
local exp = tonumber(f[3])
if exp > 0 and tonumber(ARGV[3]) >= exp then drop(ARGV[2]) return {} end
return {f[1], f[2]}
`;

/**
 * ARGV: prefix, id, expected version, record JSON, status, bytes, ends (0|1),
 * now, maxTasks, maxBytes, runner → 'ok' | 'stale' (changed meanwhile: read again) | 'gone'.
 */
const WRITE = `
local id = ARGV[2]
local v = redis.call('HGET', tkey(id), 'v')
if not v then return 'gone' end
if v ~= ARGV[3] then return 'stale' end
local old = tonumber(redis.call('HGET', tkey(id), 'b'))
redis.call('HSET', tkey(id), 'r', ARGV[4], 's', ARGV[5], 'v', tonumber(v) + 1, 'b', ARGV[6])
redis.call('HINCRBY', META, 'bytes', tonumber(ARGV[6]) - old)
if ARGV[7] == '1' then
  redis.call('HDEL', P .. 'tasks:runners', id)
  redis.call('ZADD', P .. 'tasks:ended', redis.call('HINCRBY', META, 'ended', 1), id)
  room(0, 0, tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), id)
elseif redis.call('HEXISTS', P .. 'tasks:runners', id) == 1 then
  redis.call('HSET', P .. 'tasks:runners', id, ARGV[11])
end
return 'ok'
`;

/** ARGV: prefix, principal, after (seq), limit, now → {seq1, json1, …} of live tasks, one more than the limit when there is more. */
const LIST = `
local out = {}
local n = 0
local limit = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
local index = P .. 'tasks:p:' .. ARGV[2]
local after = '(' .. ARGV[3]
while n <= limit do
  local ids = redis.call('ZRANGEBYSCORE', index, after, '+inf', 'WITHSCORES', 'LIMIT', 0, limit + 1)
  if #ids == 0 then break end
  for i = 1, #ids, 2 do
    local id, seq = ids[i], ids[i + 1]
    after = '(' .. seq
    if expired(id, now) then drop(id)
    elseif n <= limit then
      table.insert(out, seq)
      table.insert(out, redis.call('HGET', tkey(id), 'r'))
      n = n + 1
    end
  end
end
return out
`;

/** ARGV: prefix, now, after (seq), batch → {next seq or -1, tasks left}: drops the expired tasks of one batch. */
const SWEEP = `
local now = tonumber(ARGV[2])
local ids = redis.call('ZRANGEBYSCORE', P .. 'tasks', '(' .. ARGV[3], '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[4]))
local last = -1
for i = 1, #ids, 2 do
  if expired(ids[i], now) then drop(ids[i]) end
  last = tonumber(ids[i + 1])
end
if #ids < 2 * tonumber(ARGV[4]) then last = -1 end
return {last, redis.call('ZCARD', P .. 'tasks')}
`;

/** ARGV: prefix → {id1, runner1, …} of every unfinished task. */
const UNFINISHED = `
return redis.call('HGETALL', P .. 'tasks:runners')
`;

export const TASK_SCRIPTS = {
  slTaskSweep: LIBRARY + SWEEP,
  slTaskUnfinished: LIBRARY + UNFINISHED,
  slTaskCreate: LIBRARY + CREATE,
  slTaskGet: LIBRARY + GET,
  slTaskWrite: LIBRARY + WRITE,
  slTaskList: LIBRARY + LIST,
} as const;
