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
 * {@code KEYS[1]} is the bucket: one Redis string holding every limit of the policy (one key, so
 * one cluster slot). {@code ARGV}: 1 the operation ({@code c} try-consume, {@code e} estimate,
 * {@code r} reserve); 2 the {@code struct} format of 3, {@code "<"} and one {@code d} per number;
 * 3 the numbers as little-endian doubles: tokens, the longest wait a reservation accepts (ns),
 * the client's time as whole seconds and the nanoseconds within that second, the TTL keep-alive
 * (ms), the policy's 52-bit signature hash, then four per limit: capacity, refill tokens, refill
 * period (ns) and {@code g} = gcd(refill tokens, period) for a greedy limit or 0 for an interval
 * limit; 4 the {@code struct} format of the state. Reply:
 * {@code {consumed 1|0, tokens available, nanos to wait, nanos to full}}, and for a policy of
 * {@code n > 1} limits {@code 2n} more: each limit's tokens (after this call; negative in debt)
 * and nanoseconds until full, in the policy's order ({@code n = 1} replies only the four, which
 * are that limit's). A limit's time to full is the term {@code delay} takes the largest of for
 * the whole bucket, so the per-limit numbers add no arithmetic of their own. A reserve answers
 * {@code {1, 0, nanos until due, 0}} or {@code {0, 0, -1, 0}}; -1 as a wait means never. A batch
 * ({@code b}, what {@link ScriptTokenBucket} sends when several threads of one JVM check the same
 * key at once) puts the number of requests {@code k} where the tokens go and appends each
 * request's tokens after the limits; it decides them in order at one instant, exactly as {@code k}
 * {@code c} calls at that instant would, writes once, and replies per request what {@code c}
 * would: four numbers, or {@code 4 + 2n}.
 *
 * <p>The state (format 2) is the same kind of packed doubles: the signature hash of the policy
 * that wrote it, the origin {@code o} in whole client seconds, three per limit (last refill time
 * in ns since the origin, tokens (negative while reservations wait, or after a cut, see below),
 * the rounding remainder in units of {@code 1/p'} tokens), and then the limits it was written
 * under, four per limit (capacity, refill tokens, period, {@code g}: the bytes the client sent),
 * so that a policy change can carry the state over. {@code 2 + 7n} doubles: 72 bytes for one
 * limit. The limits go last so that a check under the same policy unpacks only the first
 * {@code 2 + 3n} numbers (as before they were stored) and writes them back followed by the
 * client's own bytes for the limits (on a loaded machine, three rounds each: 11-19 µs per call
 * against 11-13 µs for format 1 with one limit, 14-21 against 13-18 with three, within that
 * machine's noise; {@code benchmarks/scripts/script-cost.sh} compares them). Format 1 ({@code 2 + 3n}, no
 * limits) is read when its signature is the current policy's and rewritten as format 2 by the
 * next write (for a policy of a multiple of 7 limits the two lengths coincide, and a format-1
 * value reads as garbage: such keys should be reset when upgrading); anything else reads as
 * absent, i.e. full.

 * <h2>Policy moves</h2>
 * When the stored signature is not the one sent (the rules changed, in this JVM or another):
 * <ol>
 *   <li>the same limits in the same order (a renamed policy, a shadow flag turned on or off): the
 *       state is kept exactly, only the signature is rewritten;</li>
 *   <li>otherwise every stored limit is first refilled to now under its own stored limit, then
 *       limit {@code i} of the new policy inherits from stored limit {@code i} (by position):
 *       {@code tokens = capacity - max(0, storedCapacity - storedTokens)}: tokens used stay used,
 *       at most the capacity, below zero (a debt) if the cut is below what was used; its last
 *       refill is now and its remainder 0 (refill continues at the new rate from now). A new
 *       limit (past the stored count) starts full; stored limits past the new count are dropped.
 *       The moved state is written at once, whatever the operation.</li>
 * </ol>
 * Exactly the rule of core's {@code LocalTokenBucket} (which the in-process stores and the CAS
 * strategy use), so {@code ScriptDifferentialTest} compares them across changes too. Every
 * number stays an integer below 2^53: the new tokens are a difference of two exact integers
 * within {@code ±2^51}, and the stored limits passed {@link ScriptTokenBucket#supports} when they
 * were written. Two JVMs with different rules on one key move it back and forth on every call;
 * since a move keeps the tokens used, that cannot create tokens (it can only lose the fraction of a
 * token refilled, so a slow limit may refill late until every JVM has the same rules).

 * <p>Why binary: the script's cost is Redis's cost per check, and Redis is single-threaded.
 * Measured on the benchmark machine (best of 7 x 5,000 calls, server {@code usec_per_call}):
 * an empty script 1.6 µs; the first version (decimal arguments, a hash read with {@code HMGET}
 * and written with {@code HSET} + {@code PEXPIRE}) 15.9 µs, of which parsing decimal numbers
 * ({@code tonumber} is {@code strtod}) and building field names took about a third; this one,
 * with {@code struct.unpack} of packed doubles, one {@code GET} and one {@code SET PX}, 6.5 µs.
 * Doubles carry every integer below 2^53 exactly, which is the bound the arithmetic keeps anyway.
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
 * nothing (Bucket4j does not persist a refill it did not consume after). A write is one
 * {@code SET ... PX} with the time until full (ms, rounded down) plus the keep-alive, as Bucket4j's
 * {@code basedOnTimeForRefillingBucketUpToMax}.
 */
final class RedisScripts {

    private RedisScripts() {
    }

    /** The script; see the class comment for its arguments and arithmetic. */
    static final String TOKEN_BUCKET = """
            -- See RedisScripts: ARGV = op, numbers' format, numbers (packed doubles), state format.
            local key = KEYS[1]
            local op = ARGV[1]
            local A = {struct.unpack(ARGV[2], ARGV[3])}
            local sfmt = ARGV[4]
            -- A batch ('b') carries its count in place of tokens and the tokens after the limits.
            local k = (op == 'b') and A[1] or 0
            local n = (#A - 7 - k) / 4
            local tokens, sec, nsec, sigHash = A[1], A[3], A[4], A[6]
            local LIM = 4503599627370496
            local floor = math.floor
            -- State (format 2): signature, origin, 3 per limit (last refill, tokens, remainder),
            -- then the limits it was written under, 4 per limit (capacity, refill tokens,
            -- period, g) as the client sent them. m: how many limits the stored state has.
            local v = redis.call('GET', key)
            local S, m
            if v then
              local len = #v / 8
              if len > 2 and (len - 2) % 7 == 0 then
                m = (len - 2) / 7
                S = {struct.unpack(m == n and sfmt or ('<' .. string.rep('d', 2 + 3 * m)), v)}
                S[3 * m + 3] = nil
              elseif len == 2 + 3 * n then
                -- Format 1 (no limits stored): read only if written under this policy.
                S = {struct.unpack(sfmt, v)}
                S[3 * n + 3] = nil
                if S[1] == sigHash then m = n else S = nil end
              end
            end
            local fresh = not S
            local o = fresh and sec or S[2]
            local now = (sec - o) * 1000000000 + nsec
            local shift = 0
            if now > LIM or now < -LIM then
              shift = (sec - o) * 1000000000
              o = sec
              now = nsec
            end
            -- Refill limit i to now: Bucket4j's BucketState64BitsInteger.refill, greedy limits in
            -- gcd-reduced units; c, tk, period, g are the limit it refills under.
            local function refill(i, c, tk, period, g)
              local prev, s = S[3 * i], S[3 * i + 1]
              local t = now
              if g == 0 and t > prev then
                local dt0 = t - prev
                t = t - (dt0 - floor(dt0 / period) * period)
              end
              if t > prev then
                S[3 * i] = t
                if s < c then
                  local dt = t - prev
                  if g == 0 then
                    s = s + (dt / period) * tk
                    if s >= c then s = c; S[3 * i + 2] = 0 end
                  else
                    local full = false
                    if dt > period then
                      local q0 = floor(dt / period)
                      s = s + q0 * tk
                      if s > c then full = true end
                      dt = dt - q0 * period
                    end
                    if full then
                      s = c
                      S[3 * i + 2] = 0
                    else
                      local p = period / g
                      local divided = (tk / g) * dt + S[3 * i + 2]
                      local q = floor(divided / p)
                      if q == 0 then
                        S[3 * i + 2] = divided
                      else
                        s = s + q
                        S[3 * i + 2] = divided - q * p
                      end
                      if s >= c then s = c; S[3 * i + 2] = 0 end
                    end
                  end
                  S[3 * i + 1] = s
                end
              end
            end
            local moved = false
            if fresh then
              S = {sigHash, o}
              for i = 1, n do
                S[3 * i], S[3 * i + 1], S[3 * i + 2] = now, A[4 * i + 3], 0
              end
            else
              S[2] = o
              if shift ~= 0 then
                for i = 1, m do
                  local t = S[3 * i] - shift
                  if t > LIM then t = LIM elseif t < -LIM then t = -LIM end
                  S[3 * i] = t
                end
              end
              if S[1] ~= sigHash then
                -- Written under another policy (RedisScripts: policy moves). The same limits:
                -- kept exactly. Otherwise refill under the stored limits to now, then move.
                moved = true
                local P = {struct.unpack('<' .. string.rep('d', 4 * m), v, 8 * (2 + 3 * m) + 1)}
                local same = m == n
                for i = 1, n do
                  if same then
                    same = P[4 * i - 3] == A[4 * i + 3] and P[4 * i - 2] == A[4 * i + 4]
                      and P[4 * i - 1] == A[4 * i + 5] and P[4 * i] == A[4 * i + 6]
                  end
                end
                if same then
                  S[1] = sigHash
                else
                  for i = 1, m do
                    refill(i, P[4 * i - 3], P[4 * i - 2], P[4 * i - 1], P[4 * i])
                  end
                  local N = {sigHash, o}
                  for i = 1, n do
                    local c = A[4 * i + 3]
                    if i <= m then
                      local used = P[4 * i - 3] - S[3 * i + 1]
                      if used < 0 then used = 0 end
                      c = c - used
                    end
                    N[3 * i], N[3 * i + 1], N[3 * i + 2] = now, c, 0
                  end
                  S = N
                end
              end
            end
            local created = fresh or moved
            local avail
            for i = 1, n do
              refill(i, A[4 * i + 3], A[4 * i + 4], A[4 * i + 5], A[4 * i + 6])
              local s = S[3 * i + 1]
              if not avail or s < avail then avail = s end
            end

            -- Nanoseconds until limit i holds `deficit` more tokens (Bucket4j's
            -- calculateDelayNanosAfterWillBePossibleToConsumeFor{Greedy,Interval}Bandwidth).
            local function wait(i, deficit)
              local tk, period, g = A[4 * i + 4], A[4 * i + 5], A[4 * i + 6]
              if g == 0 then
                local w = S[3 * i] + period - now
                if deficit <= tk then return w end
                deficit = deficit - tk
                if deficit < tk then return w + period end
                local periods = floor(deficit / tk)
                if periods * tk ~= deficit then periods = periods + 1 end
                return periods * period + w
              end
              local t1, p = tk / g, period / g
              local q = floor(deficit / t1)
              local r = deficit - q * t1
              return q * p + floor((r * p - S[3 * i + 2]) / t1)
            end

            -- Nanoseconds until every limit holds `need` tokens (nil: until full); -1 if `check`
            -- and a limit can never hold them.
            local function delay(need, check)
              local d = 0
              for i = 1, n do
                local c = A[4 * i + 3]
                local want = need or c
                if check and want > c then return -1 end
                local s = S[3 * i + 1]
                if want > s then
                  local w = wait(i, want - s)
                  if w > d then d = w end
                end
              end
              return d
            end

            -- For a policy of several limits, appends each limit's tokens and nanoseconds until
            -- full to a reply after position `at`: the terms delay(nil) takes the largest of.
            local function perLimit(out, at)
              if n > 1 then
                for i = 1, n do
                  local c, s = A[4 * i + 3], S[3 * i + 1]
                  out[at + 2 * i - 1] = s
                  out[at + 2 * i] = (c > s) and wait(i, c - s) or 0
                end
              end
              return out
            end

            -- Takes `take` tokens from every limit and stores the state with its TTL; returns the
            -- nanoseconds until full.
            local function write(take)
              for i = 1, n do
                S[3 * i + 1] = S[3 * i + 1] - take
              end
              local full = delay(nil, false)
              local ttl = floor(full / 1000000) + A[5]
              if ttl <= 0 then ttl = 1 end
              -- The limits' numbers go after the state, as the client sent them (ARGV[3] after
              -- its six header numbers), so the common path never unpacks them.
              redis.call('SET', key, struct.pack(sfmt, unpack(S))
                .. string.sub(ARGV[3], 49, 48 + 32 * n), 'PX', ttl)
              return full
            end

            if op == 'c' then
              if tokens <= avail then
                local full = write(tokens)
                return perLimit({1, avail - tokens, 0, full}, 4)
              end
              if created then write(0) end
              return perLimit({0, avail, delay(tokens, true), delay(nil, false)}, 4)
            elseif op == 'e' then
              if created then write(0) end
              if tokens <= avail then
                return perLimit({1, avail, 0, delay(nil, false)}, 4)
              end
              return perLimit({0, avail, delay(tokens, true), delay(nil, false)}, 4)
            elseif op == 'r' then
              local d = delay(tokens, false)
              if d > A[2] then
                if created then write(0) end
                return {0, 0, -1, 0}
              end
              write(tokens)
              return {1, 0, d, 0}
            elseif op == 'b' then
              -- k try-consumes at one instant, in order, as k 'c' calls at the same time would
              -- decide them; one write at the end. Per request, the numbers 'c' replies.
              local out = {}
              local changed = created
              local w = (n > 1) and (4 + 2 * n) or 4
              for j = 1, k do
                local want = A[6 + 4 * n + j]
                local at = w * (j - 1)
                if want <= avail then
                  for i = 1, n do
                    S[3 * i + 1] = S[3 * i + 1] - want
                  end
                  avail = avail - want
                  changed = true
                  out[at + 1], out[at + 2], out[at + 3] = 1, avail, 0
                  out[at + 4] = delay(nil, false)
                else
                  out[at + 1], out[at + 2] = 0, avail
                  out[at + 3], out[at + 4] = delay(want, true), delay(nil, false)
                end
                perLimit(out, at + 4)
              end
              if changed then write(0) end
              return out
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
