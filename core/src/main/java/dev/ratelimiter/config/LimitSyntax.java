package dev.ratelimiter.config;

import dev.ratelimiter.Limit;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the text forms of limits used in configuration. Stateless and thread-safe.
 *
 * <ul>
 *   <li>A rate in tokens per second, possibly fractional: {@code 2}, {@code 0.5}, {@code 2.5}.
 *       It is kept exact as a fraction: {@code 2.5} is 5 tokens per 2 seconds.</li>
 *   <li>A list of limits, comma-separated, each {@code TOKENS/PERIOD [burst CAPACITY]
 *       [interval]}: {@code "10/1s burst 20, 1000/1h"} is 10 per second with bursts of 20, and
 *       1000 per hour. The capacity defaults to TOKENS; {@code interval} refills all TOKENS at the
 *       end of each period instead of continuously. A period is a number and a unit ({@code ms},
 *       {@code s}, {@code m}, {@code h}, {@code d}), a bare unit meaning 1 ({@code 10/s}), or an
 *       ISO-8601 duration ({@code PT1S}).</li>
 * </ul>
 * Every error names the property and the text at fault.
 */
final class LimitSyntax {

    private LimitSyntax() {
    }

    /**
     * A rate in tokens per second as a greedy limit with the given capacity.
     *
     * @param property the property being parsed, for messages
     * @param capacity the limit's capacity
     * @param rate the rate text
     * @return the limit
     * @throws IllegalArgumentException naming {@code property} if the text is not a positive rate
     */
    static Limit rate(String property, long capacity, String rate) {
        BigDecimal value;
        try {
            value = new BigDecimal(rate).stripTrailingZeros();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property
                    + " must be a positive number of tokens per second, was '" + rate + "'");
        }
        if (value.signum() <= 0 || value.scale() > 9) {
            throw new IllegalArgumentException(property + " must be a positive number of tokens per"
                    + " second with at most 9 decimals, was '" + rate + "'");
        }
        if (value.scale() < 0) {
            value = value.setScale(0);
        }
        BigInteger tokens = value.unscaledValue();
        BigInteger seconds = BigInteger.TEN.pow(value.scale());
        BigInteger gcd = tokens.gcd(seconds);
        tokens = tokens.divide(gcd);
        seconds = seconds.divide(gcd);
        if (tokens.bitLength() > 62) {
            throw new IllegalArgumentException(property + " is too large, was '" + rate + "'");
        }
        try {
            return new Limit(capacity, tokens.longValueExact(),
                    Duration.ofSeconds(seconds.longValueExact()), dev.ratelimiter.Refill.GREEDY);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
        }
    }

    /**
     * A comma-separated list of limits.
     *
     * @param property the property being parsed, for messages
     * @param text the list
     * @return the limits, at least one
     * @throws IllegalArgumentException naming {@code property} and the item at fault
     */
    static List<Limit> limits(String property, String text) {
        List<Limit> limits = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            limits.add(limit(property, item.trim()));
        }
        return limits;
    }

    private static Limit limit(String property, String item) {
        String[] words = item.split("\\s+");
        if (item.isEmpty() || words.length == 0) {
            throw new IllegalArgumentException(property + " has an empty limit; expected"
                    + " TOKENS/PERIOD [burst CAPACITY] [interval], such as 10/1s burst 20");
        }
        int slash = words[0].indexOf('/');
        if (slash <= 0 || slash == words[0].length() - 1) {
            throw new IllegalArgumentException(property + ": '" + item + "' must start with"
                    + " TOKENS/PERIOD, such as 10/1s");
        }
        long tokens = positiveLong(property, item, "tokens", words[0].substring(0, slash));
        Duration period = period(property, item, words[0].substring(slash + 1));
        long capacity = tokens;
        boolean interval = false;
        for (int i = 1; i < words.length; i++) {
            if (words[i].equals("burst") && i + 1 < words.length) {
                capacity = positiveLong(property, item, "burst", words[++i]);
            } else if (words[i].equals("interval")) {
                interval = true;
            } else {
                throw new IllegalArgumentException(property + ": '" + item + "' has '" + words[i]
                        + "' where 'burst CAPACITY' or 'interval' may stand");
            }
        }
        try {
            return interval
                    ? Limit.capacity(capacity).refillIntervally(tokens, period)
                    : Limit.capacity(capacity).refillGreedy(tokens, period);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": '" + item + "': " + e.getMessage(), e);
        }
    }

    private static long positiveLong(String property, String item, String what, String text) {
        try {
            long value = Long.parseLong(text);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(property + ": '" + item + "' has " + what + " '" + text
                + "'; it must be a whole number >= 1");
    }

    /**
     * A period: a number and a unit, a bare unit, or ISO-8601.
     *
     * @param property the property being parsed, for messages
     * @param item the whole item, for messages
     * @param text the period text
     * @return the positive duration
     */
    static Duration period(String property, String item, String text) {
        if (text.startsWith("P") || text.startsWith("p")) {
            try {
                Duration d = Duration.parse(text);
                if (!d.isNegative() && !d.isZero()) {
                    return d;
                }
            } catch (DateTimeParseException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(property + ": '" + item + "' has period '" + text
                    + "'; it must be a positive ISO-8601 duration such as PT1S");
        }
        int unitStart = 0;
        while (unitStart < text.length() && Character.isDigit(text.charAt(unitStart))) {
            unitStart++;
        }
        String unit = text.substring(unitStart);
        long amount = 1;
        if (unitStart > 0) {
            try {
                amount = Long.parseLong(text.substring(0, unitStart));
            } catch (NumberFormatException e) {
                amount = -1;
            }
        }
        if (amount < 1) {
            throw new IllegalArgumentException(property + ": '" + item + "' has period '" + text
                    + "'; its amount must be a whole number >= 1");
        }
        try {
            switch (unit) {
                case "ms": return Duration.ofMillis(amount);
                case "s": return Duration.ofSeconds(amount);
                case "m": return Duration.ofMinutes(amount);
                case "h": return Duration.ofHours(amount);
                case "d": return Duration.ofDays(amount);
                default:
                    throw new IllegalArgumentException(property + ": '" + item + "' has period '"
                            + text + "' with unknown unit '" + unit
                            + "'; use ms, s, m, h or d (or ISO-8601 such as PT1S)");
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(property + ": '" + item + "' has period '" + text
                    + "', which is too long");
        }
    }
}
