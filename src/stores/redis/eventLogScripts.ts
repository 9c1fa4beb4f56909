/**
 * The Lua scripts of {@link RedisEventLog}: every change to a log is one
 * script, so it is atomic however many nodes append, read and deliver.
 *
 * Keys of the log of scope S (prefix `p`, hash tag `{S}` so that every key
 * of a log lives in one slot):
 * - `p l:{S}` HASH: `seq` (the log's last sequence number), `streams` (streams
 *   opened), `bytes` (bytes held over all streams);
 * - `p l:{S}:o` ZSET: stream ids by creation; `p l:{S}:n` HASH: shared names;
 * - `p l:{S}:m:<stream>` HASH: the stream's state (below);
 * - `p l:{S}:e:<stream>` STREAM: its events, entry id `0-<seq>`, fields
 *   `a` (appended at, ms), `n` (ordinal in the stream), `c` (cumulative bytes
 *   through it), `d` (the message).
 *
 * Stream state: `base` (seq before its first event), `ev`/`evc`/`evn` (seq,
 * cumulative bytes and ordinal of the newest evicted event), `d`/`dc`/`dn`
 * (the same for the furthest delivered one), `n`/`c` (appended so far),
 * `b`/`k` (bytes and events held), `last` (newest seq), `end`, `lossy`,
 * `cuts`/`why`, `own` (the node that produces it: the fencing token), `v`
 * (version of the state, for readers of the snapshots).
 *
 * Unread = what follows both the delivered and the evicted position:
 * bytes `c - max(dc, evc)`, events `n - max(dn, evn)`. Every change publishes
 * the stream's snapshot on `p l:{S}:w:<stream>`:
 * `<unreadBytes> <unreadCount> <cuts> <ended> <version> <delivered>`, or `x`
 * when the stream is gone.
 *
 * @module
 */

/** Shared functions; every script starts with them. KEYS[1] is the log's hash. */
const LIBRARY = `
local P = KEYS[1]
local TTL = tonumber(ARGV[1])
local function mkey(s) return P .. ':m:' .. s end
local function ekey(s) return P .. ':e:' .. s end
local function num(x) return tonumber(x) or 0 end
local function meta(s)
  local f = redis.call('HMGET', mkey(s), 'n','c','d','dc','dn','ev','evc','evn','b','k','end','lossy','cuts','own','last','base','v','why')
  if not f[1] then return nil end
  return { n=num(f[1]), c=num(f[2]), d=num(f[3]), dc=num(f[4]), dn=num(f[5]), ev=num(f[6]), evc=num(f[7]), evn=num(f[8]),
    b=num(f[9]), k=num(f[10]), ended=(f[11]=='1'), lossy=(f[12]=='1'), cuts=num(f[13]), own=(f[14] or ''), last=num(f[15]),
    base=num(f[16]), v=num(f[17]), why=(f[18] or '') }
end
local function unreadBytes(m) return m.c - math.max(m.dc, m.evc) end
local function unreadCount(m) return m.n - math.max(m.dn, m.evn) end
local function snapshot(m)
  return unreadBytes(m) .. ' ' .. unreadCount(m) .. ' ' .. m.cuts .. ' ' .. (m.ended and 1 or 0) .. ' ' .. m.v .. ' ' .. m.d
end
local function changed(s, m)
  m.v = redis.call('HINCRBY', mkey(s), 'v', 1)
  redis.call('PUBLISH', P .. ':w:' .. s, snapshot(m))
end
local function keep(s)
  redis.call('PEXPIRE', mkey(s), TTL)
  redis.call('PEXPIRE', ekey(s), TTL)
  redis.call('PEXPIRE', P, TTL)
  redis.call('PEXPIRE', P .. ':o', TTL)
  redis.call('PEXPIRE', P .. ':n', TTL)
end
local function dropOldest(s, m)
  local e = redis.call('XRANGE', ekey(s), '-', '+', 'COUNT', 1)[1]
  if not e then return false end
  local f = e[2]
  local seq = tonumber(string.match(e[1], '-(%d+)$'))
  local len = #f[8]
  redis.call('XDEL', ekey(s), e[1])
  m.b = m.b - len; m.k = m.k - 1; m.ev = seq; m.evc = tonumber(f[6]); m.evn = tonumber(f[4])
  redis.call('HSET', mkey(s), 'b', m.b, 'k', m.k, 'ev', m.ev, 'evc', m.evc, 'evn', m.evn)
  redis.call('HINCRBY', P, 'bytes', -len)
  return true
end
local function dropStream(s)
  local b = num(redis.call('HGET', mkey(s), 'b'))
  redis.call('HINCRBY', P, 'bytes', -b)
  redis.call('DEL', mkey(s), ekey(s))
  redis.call('ZREM', P .. ':o', s)
  redis.call('PUBLISH', P .. ':w:' .. s, 'x')
end
local function oldestEnded(except)
  for _, s in ipairs(redis.call('ZRANGE', P .. ':o', 0, -1)) do
    if s ~= except and redis.call('HGET', mkey(s), 'end') == '1' then return s end
  end
  return nil
end
local function oldestWithDelivered(current, cm)
  for _, s in ipairs(redis.call('ZRANGE', P .. ':o', 0, -1)) do
    local m = (s == current) and cm or meta(s)
    if m and m.k > 0 and (m.d > m.ev or m.lossy) then return s, m end
  end
  return nil
end
-- Count and byte bounds take what nobody can still be waiting for (see eventLog.ts).
local function enforce(s, m, maxEvents, maxBytes, maxLogBytes)
  while (m.k > maxEvents or (m.b > maxBytes and m.k > 1)) and (m.ended or m.lossy or m.d > m.ev) do
    if not dropOldest(s, m) then break end
  end
  while num(redis.call('HGET', P, 'bytes')) > maxLogBytes do
    local ended = oldestEnded(s)
    if ended then dropStream(ended)
    else
      local ds, dm = oldestWithDelivered(s, m)
      if ds then dropOldest(ds, dm)
      elseif (m.ended or m.lossy) and m.k > 1 then dropOldest(s, m)
      else break end
    end
  end
end
local function pruneAged(s, m, cutoff)
  while true do
    local e = redis.call('XRANGE', ekey(s), '-', '+', 'COUNT', 1)[1]
    if not e or tonumber(e[2][2]) >= cutoff then break end
    dropOldest(s, m)
  end
end
local function append(s, m, data, now)
  local seq = redis.call('HINCRBY', P, 'seq', 1)
  m.n = m.n + 1; m.c = m.c + #data; m.b = m.b + #data; m.k = m.k + 1; m.last = seq
  redis.call('XADD', ekey(s), '0-' .. seq, 'a', now, 'n', m.n, 'c', m.c, 'd', data)
  redis.call('HSET', mkey(s), 'n', m.n, 'c', m.c, 'b', m.b, 'k', m.k, 'last', seq)
  redis.call('HINCRBY', P, 'bytes', #data)
  return seq
end
`;

/** ARGV: ttl, lossy (0|1), shared name ('' = none), owner, maxStreams → the stream id. */
const OPEN = `
local name = ARGV[3]
if name ~= '' then
  local existing = redis.call('HGET', P .. ':n', name)
  if existing and redis.call('EXISTS', mkey(existing)) == 1 then return existing end
end
while redis.call('ZCARD', P .. ':o') >= tonumber(ARGV[5]) do
  local ended = oldestEnded(nil)
  if not ended then break end
  dropStream(ended)
end
local idx = redis.call('HINCRBY', P, 'streams', 1)
local s = 's' .. idx
local base = num(redis.call('HGET', P, 'seq'))
redis.call('HSET', mkey(s), 'base', base, 'ev', base, 'evc', 0, 'evn', 0, 'd', base, 'dc', 0, 'dn', 0, 'n', 0, 'c', 0,
  'b', 0, 'k', 0, 'last', 0, 'end', 0, 'lossy', ARGV[2], 'cuts', 0, 'why', '', 'own', ARGV[4], 'v', 0)
redis.call('ZADD', P .. ':o', idx, s)
if name ~= '' then redis.call('HSET', P .. ':n', name, s) end
keep(s)
return s
`;

/**
 * ARGV: ttl, stream, data, now, owner ('' = unfenced), maxEvents, maxAgeMs,
 * maxBytes, maxLogBytes → {'ok', seq, unreadBytes, unreadCount, cuts, version, n, c}
 * | {'gone'} | {'fenced'}.
 */
const APPEND = `
local s = ARGV[2]
local m = meta(s)
if not m or m.ended then return {'gone'} end
if ARGV[5] ~= '' and m.own ~= '' and m.own ~= ARGV[5] then return {'fenced'} end
local now = tonumber(ARGV[4])
pruneAged(s, m, now - tonumber(ARGV[7]))
local seq = append(s, m, ARGV[3], now)
enforce(s, m, tonumber(ARGV[6]), tonumber(ARGV[8]), tonumber(ARGV[9]))
keep(s)
changed(s, m)
return {'ok', seq, unreadBytes(m), unreadCount(m), m.cuts, m.v, m.n, m.c}
`;

/** ARGV: ttl, stream, seq, keepDelivered (0|1) → the snapshot, or 'x'. */
const DELIVER = `
local s = ARGV[2]
local m = meta(s)
if not m then return 'x' end
local seq = tonumber(ARGV[3])
if seq <= m.d then return snapshot(m) end
local e = redis.call('XRANGE', ekey(s), '0-' .. seq, '0-' .. seq)[1]
local n, c = m.evn, m.evc
if e then n = tonumber(e[2][4]); c = tonumber(e[2][6]) end
m.d = seq; m.dn = math.max(m.dn, n); m.dc = math.max(m.dc, c)
redis.call('HSET', mkey(s), 'd', m.d, 'dn', m.dn, 'dc', m.dc)
if ARGV[4] == '0' then
  while m.k > 0 and m.d > m.ev do dropOldest(s, m) end
end
changed(s, m)
return snapshot(m)
`;

/** ARGV: ttl, stream, maxEvents, maxBytes, maxLogBytes. */
const END = `
local s = ARGV[2]
local m = meta(s)
if not m or m.ended then return 0 end
m.ended = true
redis.call('HSET', mkey(s), 'end', 1)
enforce(s, m, tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
changed(s, m)
return 1
`;

/** ARGV: ttl, stream, reason. */
const CUT = `
local s = ARGV[2]
local m = meta(s)
if not m then return 0 end
m.cuts = redis.call('HINCRBY', mkey(s), 'cuts', 1)
redis.call('HSET', mkey(s), 'why', ARGV[3])
changed(s, m)
return m.cuts
`;

/**
 * ARGV: ttl, stream, after ('' = from the start), count → {'gone'} |
 * {'ok', ended, cuts, why, evicted, last, after, seq1, data1, seq2, data2, …}.
 */
const READ = `
local s = ARGV[2]
local m = meta(s)
if not m then return {'gone'} end
local after = ARGV[3] == '' and m.base or tonumber(ARGV[3])
local out = {'ok', m.ended and 1 or 0, m.cuts, m.why, m.ev, m.last, after}
if after < m.ev or ARGV[4] == '0' then return out end
for _, e in ipairs(redis.call('XRANGE', ekey(s), '(0-' .. after, '+', 'COUNT', tonumber(ARGV[4]))) do
  table.insert(out, string.match(e[1], '-(%d+)$'))
  table.insert(out, e[2][8])
end
return out
`;

/** ARGV: ttl, stream → the stream's snapshot, or 'x'. */
const STATE = `
local m = meta(ARGV[2])
if not m then return 'x' end
return snapshot(m)
`;

/** ARGV: ttl, stream, seq, now, maxAgeMs → 'ok' | 'expired'. */
const CHECK = `
local s = ARGV[2]
local m = meta(s)
if not m then return 'expired' end
pruneAged(s, m, tonumber(ARGV[4]) - tonumber(ARGV[5]))
if m.ended and m.k == 0 then dropStream(s) return 'expired' end
return tonumber(ARGV[3]) < m.ev and 'expired' or 'ok'
`;

/** ARGV: ttl. Forgets every stream of the log. */
const CLEAR = `
for _, s in ipairs(redis.call('ZRANGE', P .. ':o', 0, -1)) do
  redis.call('DEL', mkey(s), ekey(s))
  redis.call('PUBLISH', P .. ':w:' .. s, 'x')
end
redis.call('DEL', P, P .. ':o', P .. ':n')
return 1
`;

/**
 * ARGV: ttl, stream, previous owner, new owner, data, now → 1 when taken
 * over: the stream's producer is fenced off, `data` (a JSON-RPC error) is
 * its last event and the stream ends. 0 when it ended or changed hands first.
 */
const TAKE_OVER = `
local s = ARGV[2]
local m = meta(s)
if not m or m.ended or m.own ~= ARGV[3] then return 0 end
redis.call('HSET', mkey(s), 'own', ARGV[4])
append(s, m, ARGV[5], tonumber(ARGV[6]))
m.ended = true
redis.call('HSET', mkey(s), 'end', 1)
keep(s)
changed(s, m)
return 1
`;

/** The scripts by name, each a complete Lua text with one key (the log's hash). */
export const EVENT_LOG_SCRIPTS = {
  slOpen: LIBRARY + OPEN,
  slAppend: LIBRARY + APPEND,
  slDeliver: LIBRARY + DELIVER,
  slEnd: LIBRARY + END,
  slCut: LIBRARY + CUT,
  slRead: LIBRARY + READ,
  slCheck: LIBRARY + CHECK,
  slState: LIBRARY + STATE,
  slClear: LIBRARY + CLEAR,
  slTakeOver: LIBRARY + TAKE_OVER,
} as const;

export type EventLogScript = keyof typeof EVENT_LOG_SCRIPTS;
