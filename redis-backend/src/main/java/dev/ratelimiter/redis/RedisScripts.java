package dev.ratelimiter.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua script behind {@link RedisStrategy#SCRIPT}: Bucket4j 8.15's integer token-bucket
 * arithmetic ({@code BucketState64BitsInteger} with the {@code TryConsumeAndReturnRemainingTokens},
 * {@code EstimateAbilityToConsume} and {@code ReserveAndCalculateTimeToSleep} commands),
 * reproduced step for step so that a check gives the same answer as the compare-and-swap
 * strategy, but decided inside Redis in one {@code EVALSHA}.
 *
 * <h2>Interface</h2>
 * {@code KEYS[1]} is the bucket: one hash holding every limit of the policy (one key, so one
 * cluster slot). {@code ARGV}: 1 operation ({@code c} try-consume, {@code e} estimate,
 * {@code r} reserve); 2 tokens; 3 the longest wait a reservation accepts, in ns; 4 and 5 the
 * client's time as whole seconds and the nanoseconds within that second; 6 the TTL keep-alive in
 * ms; 7 the policy signature; then four per limit: capacity, refill tokens, refill period in ns,
 * and {@code g} = gcd(refill tokens, period) for a greedy limit or 0 for an interval limit.
 * Reply: {@code {consumed 1|0, tokens available, nanos to wait, nanos to full}}; a reserve
 * answers {@code {1, 0, nanos until due, 0}} or {@code {0, 0, -1, 0}}; -1 as a wait means never.
 *
 * <p>Hash fields: {@code v} the policy signature (a bucket written under another policy is
 * treated as absent, i.e. full), {@code o} the origin in whole client seconds, and per limit
 * {@code i}: {@code t<i>} last refill time in ns since the origin, {@code s<i>} tokens (negative
 * while reservations wait), {@code e<i>} the rounding remainder in units of {@code 1/p'} tokens.
 *
 * <h2>Derivation: why the numbers stay below 2^53</h2>
 * Lua numbers are doubles: integers are exact only below 2^53 (about 9.0e15), and Bucket4j works
 * in 64-bit nanoseconds. Three choices keep every intermediate value exact.
 *
 * <p><b>Time</b> is nanoseconds since a per-key origin {@code o} (whole seconds), computed in the
 * script as {@code now = (sec - o) * 1e9 + nsec}: the client sends its clock split in two, because
 * a nanosecond wall-clock reading (1.8e18) is not exact as a double. {@code now} stays below 2^52
 * (52 days) because, when it would pass that, the script moves the origin to {@code sec} and
 * shifts every stored time by the same amount (exact while the shift is below 104 days; a larger
 * jump of the client clock clamps stored times into range, which only ever delays a refill).
 *
 * <p><b>Greedy refill</b> is Bucket4j's {@code size += (tokens * dt + err) / period},
 * {@code err = (tokens * dt + err) % period}, where {@code tokens * dt} reaches
 * {@code tokens * period}: 3.6e16 for 10,000 tokens per hour, past 2^53. But with
 * {@code g = gcd(tokens, period)}, {@code t' = tokens / g}, {@code p' = period / g}, the remainder
 * {@code err} is always a multiple of {@code g} (it starts at 0, and {@code tokens * dt} and
 * {@code period} are multiples of {@code g}), so dividing numerator and denominator by {@code g}
 * changes neither quotient nor remainder: {@code size += (t' * dt + e') / p'},
 * {@code e' = (t' * dt + e') % p'} with {@code e' = err / g}. The bound is now
 * {@code t' * period + p'}.
 *
 * <p>Worked example: 10,000 tokens per hour. {@code period = 3.6e12 ns}, {@code g = 10,000},
 * {@code t' = 1}, {@code p' = 3.6e8}. A check 1 ms (1e6 ns) after the last refill with
 * {@code e' = 3.5e8}: {@code t' * dt + e' = 3.51e8}, less than {@code p'}: no token yet,
 * {@code e' = 3.51e8}. Bucket4j computes {@code 10,000 * 1e6 + 3.5e12 = 3.51e12}, also less than
 * 3.6e12, remainder 3.51e12 = 10,000 x 3.51e8: the same state. 10 ms later,
 * {@code 1e7 + 3.51e8 = 3.61e8}: one token, {@code e' = 1e6}; Bucket4j: 3.61e12 → one token,
 * remainder 1e10 = 10,000 x 1e6. Every number the script touched is below 4e8.
 *
 * <p><b>Waits</b>: Bucket4j's greedy wait is {@code (period * deficit - err) / tokens}, which is
 * {@code (p' * deficit - e') / t'}; with {@code deficit = q * t' + r} ({@code r < t'}) it is
 * {@code q * p' + floor((r * p' - e') / t')}, whose products are below {@code t' * p'}. An
 * interval limit waits {@code last + period - now} plus whole periods, as in Bucket4j. A wait
 * itself beyond 2^53 ns (104 days) is rounded to a nearby double: it is reported, never compared
 * with anything but a longer limit.
 *
 * <p><b>Division</b>: for integers {@code 0 <= |a| < 2^53} and {@code b > 0},
 * {@code math.floor(a / b)} is exact (a non-integer quotient is at least {@code 1/b} from the
 * next integer, more than half a unit in the last place of {@code a/b}), so Lua's floor division
 * and {@code %} agree with Java's on the non-negative operands Bucket4j uses.
 *
 * <p>{@link ScriptTokenBucket#supports} checks the bounds per policy (every capacity and refill
 * amount at most 2^50, every period below 2^52 ns, {@code t' * period + p' <= 2^53}); a policy
 * outside them is served by the compare-and-swap strategy instead.
 *
 * <h2>Semantics kept from Bucket4j</h2>
 * A new (or expired) bucket is full with its last refill now, and is written at once whatever
 * the operation (as Bucket4j's {@code CreateInitialStateAndExecuteCommand}): an interval limit's
 * refills are aligned to that first touch. Otherwise a rejected check or an estimate writes
 * nothing (Bucket4j does not persist a refill it did not consume after). A write sets
 * {@code PEXPIRE} to the time until full (ms, rounded down) plus the keep-alive, as Bucket4j's
 * {@code basedOnTimeForRefillingBucketUpToMax}.
 */
final class RedisScripts {

    private RedisScripts() {
    }

    /** The script; see the class comment for its arguments and arithmetic. */
    static final String TOKEN_BUCKET = """
            local key = KEYS[1]
            local op = ARGV[1]
            local tokens = tonumber(ARGV[2])
            local maxWait = tonumber(ARGV[3])
            local sec = tonumber(ARGV[4])
            local nsec = tonumber(ARGV[5])
            local keepMs = tonumber(ARGV[6])
            local sig = ARGV[7]
            local n = (#ARGV - 7) / 4
            local E9 = 1000000000
            local LIM = 4503599627370496
            local cap, tok, per, tr, pr, iv = {}, {}, {}, {}, {}, {}
            local fields = {'v', 'o'}
            for i = 1, n do
              local a = 7 + (i - 1) * 4
              cap[i] = tonumber(ARGV[a + 1])
              tok[i] = tonumber(ARGV[a + 2])
              per[i] = tonumber(ARGV[a + 3])
              local g = tonumber(ARGV[a + 4])
              iv[i] = (g == 0)
              if g > 0 then
                tr[i] = tok[i] / g
                pr[i] = per[i] / g
              end
              fields[#fields + 1] = 't' .. i
              fields[#fields + 1] = 's' .. i
              fields[#fields + 1] = 'e' .. i
            end
            local st = redis.call('HMGET', key, unpack(fields))
            local o = tonumber(st[2])
            local fresh = (st[1] ~= sig) or (o == nil)
            if fresh then
              o = sec
            end
            local now = (sec - o) * E9 + nsec
            local shift = 0
            if now > LIM or now < -LIM then
              shift = (sec - o) * E9
              o = sec
              now = nsec
            end
            local last, size, err = {}, {}, {}
            for i = 1, n do
              if fresh then
                last[i] = now
                size[i] = cap[i]
                err[i] = 0
              else
                local t = tonumber(st[3 * i]) - shift
                if t > LIM then t = LIM elseif t < -LIM then t = -LIM end
                last[i] = t
                size[i] = tonumber(st[3 * i + 1])
                err[i] = tonumber(st[3 * i + 2])
              end
            end

            local function refill(i)
              local prev = last[i]
              local t = now
              if t <= prev then return end
              local period = per[i]
              if iv[i] then
                local dt0 = t - prev
                t = t - (dt0 - math.floor(dt0 / period) * period)
                if t <= prev then return end
              end
              last[i] = t
              local c = cap[i]
              local s = size[i]
              if s >= c then return end
              local dt = t - prev
              if iv[i] then
                s = s + (dt / period) * tok[i]
                if s >= c then size[i] = c; err[i] = 0 else size[i] = s end
                return
              end
              if dt > period then
                local k = math.floor(dt / period)
                s = s + k * tok[i]
                if s > c then size[i] = c; err[i] = 0; return end
                dt = dt - k * period
              end
              local p = pr[i]
              local divided = tr[i] * dt + err[i]
              local q = math.floor(divided / p)
              if q == 0 then
                err[i] = divided
              else
                s = s + q
                err[i] = divided - q * p
              end
              if s >= c then size[i] = c; err[i] = 0; return end
              size[i] = s
            end

            -- Nanoseconds until limit i holds `deficit` more tokens; -1 stands for never.
            local function wait(i, deficit)
              if iv[i] then
                local period, tk = per[i], tok[i]
                local w = last[i] + period - now
                if deficit <= tk then return w end
                deficit = deficit - tk
                if deficit < tk then return w + period end
                local periods = math.floor(deficit / tk)
                if periods * tk ~= deficit then periods = periods + 1 end
                return periods * period + w
              end
              local t1, p = tr[i], pr[i]
              local q = math.floor(deficit / t1)
              local r = deficit - q * t1
              return q * p + math.floor((r * p - err[i]) / t1)
            end

            local function delay(need, check)
              local d = 0
              for i = 1, n do
                if check and need > cap[i] then return -1 end
                if need > size[i] then
                  local w = wait(i, need - size[i])
                  if w > d then d = w end
                end
              end
              return d
            end

            local function full()
              local d = 0
              for i = 1, n do
                if size[i] < cap[i] then
                  local w = wait(i, cap[i] - size[i])
                  if w > d then d = w end
                end
              end
              return d
            end

            local function f(x)
              return string.format('%.0f', x)
            end

            local function write(take)
              local args = {'v', sig, 'o', f(o)}
              for i = 1, n do
                size[i] = size[i] - take
                args[#args + 1] = 't' .. i
                args[#args + 1] = f(last[i])
                args[#args + 1] = 's' .. i
                args[#args + 1] = f(size[i])
                args[#args + 1] = 'e' .. i
                args[#args + 1] = f(err[i])
              end
              redis.call('HSET', key, unpack(args))
              local ttl = math.floor(full() / 1000000) + keepMs
              if ttl <= 0 then ttl = 1 end
              redis.call('PEXPIRE', key, f(ttl))
            end

            for i = 1, n do
              refill(i)
            end
            local avail = size[1]
            for i = 2, n do
              if size[i] < avail then avail = size[i] end
            end
            if op == 'c' then
              if tokens <= avail then
                write(tokens)
                return {1, avail - tokens, 0, full()}
              end
              if fresh then write(0) end
              return {0, avail, delay(tokens, true), full()}
            elseif op == 'e' then
              if fresh then write(0) end
              if tokens <= avail then
                return {1, avail, 0, full()}
              end
              return {0, avail, delay(tokens, true), full()}
            elseif op == 'r' then
              local d = delay(tokens, false)
              if d < 0 or d > maxWait then
                if fresh then write(0) end
                return {0, 0, -1, 0}
              end
              write(tokens)
              return {1, 0, d, 0}
            end
            return redis.error_reply('ratelimiter script: unknown operation ' .. tostring(op))
            """;

    /** Hex SHA-1 of {@link #TOKEN_BUCKET}: what {@code EVALSHA} names it by. */
    static final String TOKEN_BUCKET_SHA = sha1(TOKEN_BUCKET);

    static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
