// The Lua scripts of cluster mode. Each runs atomically in Redis; times come from Redis's own
// clock (TIME), so the instances' clocks do not have to agree.

/** Now in ms on Redis's clock, as a Lua prelude. */
const NOW = `local t = redis.call('TIME'); local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: lease, fence. ARGV: token, ttlMs. Takes the lease if nobody holds it; returns the new
 * fencing number, or 0 when someone else holds it.
 */
export const ACQUIRE_LEASE = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0`;

/** KEYS: lease. ARGV: token, ttlMs. Extends the lease if `token` still holds it: 1, else 0. */
export const RENEW_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS: lease. ARGV: token. Gives the lease up if `token` holds it: 1, else 0. */
export const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

/**
 * KEYS: lease, events. ARGV: token, maxLen, ttlMs, then field/value pairs. Appends the event only
 * while `token` holds the lease (a holder that lost it, paused past its TTL, cannot publish
 * beside the new one); returns the entry id, or false.
 */
export const PUBLISH_EVENT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
local id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(fields))
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return id`;

/**
 * KEYS: slots. ARGV: token, max, ttlMs. Drops slots whose holder stopped renewing, then takes one
 * if fewer than `max` are held: 1, else 0.
 */
export const ACQUIRE_SLOT = `
${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0`;

/** KEYS: slots. ARGV: token, ttlMs. Extends a held slot: 1, or 0 if it lapsed. */
export const RENEW_SLOT = `
${NOW}
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** KEYS: slots. Live slots (expired ones not counted). */
export const COUNT_SLOTS = `
${NOW}
return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')`;

/**
 * KEYS: lane. ARGV: calls, windowMs. Books the next start on the lane so that no `calls + 1`
 * starts fall within one window, fleet-wide; returns how many ms to wait for it.
 */
export const BOOK_START = `
${NOW}
local calls = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local starts = redis.call('LRANGE', KEYS[1], 0, -1)
local at = now
if #starts >= calls then
  local oldest = tonumber(starts[#starts - calls + 1])
  if oldest + window > at then at = oldest + window end
end
redis.call('RPUSH', KEYS[1], at)
redis.call('LTRIM', KEYS[1], -calls, -1)
redis.call('PEXPIRE', KEYS[1], at - now + window + 1000)
return at - now`;
