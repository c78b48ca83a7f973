package io.herald.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;
import net.jqwik.api.statistics.Statistics;

/**
 * {@link CompactBody} reads a {@code POST /publish} body without Jackson only when the Jackson
 * tree would give exactly the same event: for any body, {@link EventJsonParser#parseBody} gives
 * what {@link EventJsonParser#parseTree} gives, the same events or the same refusal.
 */
class CompactBodyTest {
  @Example
  void theLoadGeneratorsBodyIsReadAsItCame() {
    String body = "{\"topic\":\"user-42\",\"data\":{\"s\":7,\"t\":1733140000123456,\"p\":\"xxxx\"}}";
    assertNotNull(CompactBody.scan(bytes(body), bytes(body).length));
    assertEquals(
        List.of(new PublishRequest("user-42", null, "{\"s\":7,\"t\":1733140000123456,\"p\":\"xxxx\"}")),
        EventJsonParser.parseBody(buf(body)));
  }

  @Example
  void whatJacksonWouldWriteAnotherWayGoesToTheTree() {
    for (String data :
        List.of("{ \"a\":1}", "1.5", "1e3", "-0", "[-0]", "\"\\u0041\"", "\"é\"", "{\"a\":1,\"a\":2}", "01",
            "[" .repeat(CompactBody.MAX_DEPTH) + "]".repeat(CompactBody.MAX_DEPTH), "1234567890123456789")) {
      String body = "{\"topic\":\"t\",\"data\":" + data + "}";
      assertNull(CompactBody.scan(bytes(body), bytes(body).length), body);
      assertEquals(outcome(() -> EventJsonParser.parseTree(buf(body))), outcome(() -> EventJsonParser.parseBody(buf(body))), body);
    }
  }

  @Property(tries = 3000)
  void anyBodyGetsTheTreesAnswer(@ForAll("bodies") String body) {
    Object tree = outcome(() -> EventJsonParser.parseTree(buf(body)));
    Object parsed = outcome(() -> EventJsonParser.parseBody(buf(body)));
    Statistics.label("read as it came").collect(CompactBody.scan(bytes(body), bytes(body).length) != null);
    assertEquals(tree, parsed, body);
  }

  @Provide
  Arbitrary<String> bodies() {
    return Arbitraries.randoms().map(random -> new Generator(random).body());
  }

  /** Near-compact JSON with, at random, everything the compact form leaves to the tree. */
  private static final class Generator {
    private final Random r;

    Generator(Random r) {
      this.r = r;
    }

    String body() {
      StringBuilder out = new StringBuilder();
      if (r.nextInt(30) == 0) {
        out.append(pick(" ", "\uFEFF", "[", "x"));
      }
      out.append('{');
      List<String> keys = List.of("topic", "event", "data", "topic", "evnt", "");
      int n = r.nextInt(5);
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          out.append(',');
        }
        String key = i < 3 && r.nextInt(4) != 0 ? List.of("topic", "data", "event").get(i) : keys.get(r.nextInt(keys.size()));
        out.append(space()).append(string(key)).append(space()).append(':').append(space());
        switch (key) {
          case "topic" -> out.append(r.nextInt(8) == 0 ? value(2) : string(topic()));
          case "event" -> out.append(r.nextInt(6) == 0 ? "null" : r.nextInt(8) == 0 ? value(2) : string(word()));
          default -> out.append(value(2));
        }
        out.append(space());
      }
      out.append('}');
      if (r.nextInt(30) == 0) {
        out.append(pick(" ", "\n", "{}", ",", "x"));
      }
      return out.toString();
    }

    private String value(int depth) {
      int kind = r.nextInt(depth > CompactBody.MAX_DEPTH + 2 ? 5 : 8);
      return switch (kind) {
        case 0 -> string(word());
        case 1 -> number();
        case 2 -> pick("true", "false", "null", "tru", "nul");
        case 3, 4 -> string(word());
        case 5 -> {
          StringBuilder out = new StringBuilder("[");
          int n = r.nextInt(4);
          for (int i = 0; i < n; i++) {
            out.append(i > 0 ? "," : "").append(space()).append(value(depth + 1)).append(space());
          }
          yield out.append(r.nextInt(40) == 0 ? "" : "]").toString();
        }
        default -> {
          StringBuilder out = new StringBuilder("{");
          int n = r.nextInt(r.nextInt(10) == 0 ? 20 : 4);
          for (int i = 0; i < n; i++) {
            out.append(i > 0 ? "," : "").append(space()).append(string(r.nextInt(4) == 0 ? "k" : word()))
                .append(':').append(space()).append(value(depth + 1));
          }
          yield out.append(r.nextInt(40) == 0 ? "" : "}").toString();
        }
      };
    }

    private String number() {
      return pick(
          Integer.toString(r.nextInt(2000) - 1000),
          Long.toString(r.nextLong()),
          "0", "-0", "00", "01", "-", "1.5", "1.0", "1e3", "1E3", "-0.0", "12345678901234567890",
          "123456789012345678", "999999999999999999", "1.");
    }

    private String topic() {
      return pick("t", "user-1", "a.b:c_d", "", "a b", "x".repeat(r.nextInt(3) * 200), "t\u00e9");
    }

    private String word() {
      StringBuilder out = new StringBuilder();
      int n = r.nextInt(8);
      for (int i = 0; i < n; i++) {
        int c = r.nextInt(20);
        out.append(
            switch (c) {
              case 0 -> "\\\"";
              case 1 -> "\\n";
              case 2 -> "\\u0041";
              case 3 -> "é";
              case 4 -> "\\ud800";
              case 5 -> "/";
              case 6 -> "\u007f";
              case 7 -> "\t";
              default -> String.valueOf((char) (' ' + 1 + r.nextInt(94))).replace("\"", "q").replace("\\", "b");
            });
      }
      return out.toString();
    }

    private String string(String text) {
      return '"' + text + '"';
    }

    private String space() {
      return r.nextInt(15) == 0 ? pick(" ", "\n", "\t", "\r\n") : "";
    }

    private String pick(String... options) {
      return options[r.nextInt(options.length)];
    }
  }

  private static Object outcome(java.util.function.Supplier<List<PublishRequest>> parse) {
    try {
      return parse.get();
    } catch (BadEventException e) {
      return "refused: " + e.getMessage();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static ByteBuf buf(String s) {
    return Unpooled.wrappedBuffer(bytes(s)); // heap, needs no release; the parsers must not consume it
  }
}
