package dev.ratelimiter.benchmarks.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Which JSON library costs less per check request: jackson-core's streaming API (what
 * ratelimiter-http uses) or jackson-jr. Each iteration parses the contract's request body and
 * writes the seven-field response, as the check handler does. A plain timing loop, not JMH: the
 * difference it settles is large (see BENCHMARKS.md), and it prints five rounds so warm-up shows.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package dependency:build-classpath -DskipTests
 * -Dmdep.outputFile=target/classpath.txt && java -cp
 * "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
 * dev.ratelimiter.benchmarks.http.JsonLibraryCost}
 */
public final class JsonLibraryCost {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build();
    private static final byte[] REQUEST =
            "{\"key\":\"user:123456\",\"tokens\":1,\"apiKey\":\"your-api-key\"}"
                    .getBytes(StandardCharsets.UTF_8);
    private static long sink;

    private JsonLibraryCost() {
    }

    static long streaming() throws IOException {
        String key = null;
        long tokens = 1;
        String apiKey = null;
        try (JsonParser p = FACTORY.createParser(REQUEST)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "key" -> key = p.getText();
                    case "tokens" -> tokens = p.getLongValue();
                    case "apiKey" -> apiKey = p.getText();
                    default -> throw new IllegalStateException(name);
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("key", key);
            g.writeNumberField("tokensRequested", tokens);
            g.writeBooleanField("allowed", true);
            g.writeNumberField("remainingTokens", 9);
            g.writeNumberField("limit", 10);
            g.writeNumberField("retryAfterMs", 0);
            g.writeNumberField("resetAfterMs", 500);
            g.writeEndObject();
        }
        return out.size() + apiKey.length();
    }

    static long jacksonJr() throws IOException {
        Map<String, Object> m = JSON.std.mapFrom(REQUEST);
        String key = (String) m.get("key");
        long tokens = ((Number) m.get("tokens")).longValue();
        String apiKey = (String) m.get("apiKey");
        byte[] out = JSON.std.composeBytes().startObject()
                .put("key", key).put("tokensRequested", tokens).put("allowed", true)
                .put("remainingTokens", 9).put("limit", 10).put("retryAfterMs", 0)
                .put("resetAfterMs", 500).end().finish();
        return out.length + apiKey.length();
    }

    /**
     * Prints ns per request for each library, five rounds of a million each.
     *
     * @param args ignored
     * @throws IOException never, in practice
     */
    public static void main(String[] args) throws IOException {
        for (int round = 1; round <= 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 1_000_000; i++) {
                sink += streaming();
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < 1_000_000; i++) {
                sink += jacksonJr();
            }
            long t2 = System.nanoTime();
            System.out.printf("round %d: jackson-core streaming %.0f ns/request,"
                    + " jackson-jr %.0f ns/request%n", round, (t1 - t0) / 1e6, (t2 - t1) / 1e6);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
