package io.herald.ingest;

import com.nimbusds.jose.util.JSONObjectUtils;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;

/**
 * With {@code --ingest-secret}, an ingest connection must first prove it knows the secret: its
 * first line is {@code {"auth":"<secret>"}}, answered {@code {"ok":true}}. Anything else as the
 * first line — a wrong secret, an event, a malformed line — is answered {@code
 * {"error":"…","line":1}} and the connection is closed; nothing it sent is published (every
 * line already decoded after it is dropped here). After a good first line the handler leaves the
 * pipeline.
 *
 * <p>The secret is compared in constant time (as SHA-256 digests, so not even its length
 * leaks) and never logged or echoed. Between the HTTP guard and the ingest handler; one per
 * connection.
 */
public final class IngestAuth extends ChannelInboundHandlerAdapter {
  static final String NAME = "ingest-auth";
  static final String OK = "{\"ok\":true}\n";

  private final byte[] secretDigest;
  private final Runnable onRefused;
  private boolean refused;

  /** @param secretDigest {@link #digest} of the secret; @param onRefused counts a refusal */
  public IngestAuth(byte[] secretDigest, Runnable onRefused) {
    this.secretDigest = secretDigest.clone();
    this.onRefused = onRefused;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof IngestLine line)) {
      ctx.fireChannelRead(msg);
      return;
    }
    String problem = check(line);
    if (problem != null) {
      refused = true;
      onRefused.run();
      ctx.channel().config().setAutoRead(false);
      String reply = "{\"error\":" + JsonText.quote(problem) + ",\"line\":" + line.number() + "}\n";
      ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), reply))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(ByteBufUtil.writeUtf8(ctx.alloc(), OK));
    ctx.pipeline().remove(this);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!refused) {
      ctx.fireChannelReadComplete();
    }
  }

  /** Why {@code line} does not authenticate the connection, or null when it does. */
  private String check(IngestLine line) {
    String expected = "this ingest port needs authentication: the first line must be {\"auth\":\"<secret>\"}";
    if (line.problem() != null || line.text() == null) {
      return expected;
    }
    Map<String, Object> json;
    try {
      json = JSONObjectUtils.parse(line.text());
    } catch (java.text.ParseException | RuntimeException notJson) {
      return expected;
    }
    if (json.size() != 1 || !(json.get("auth") instanceof String secret)) {
      return expected;
    }
    return MessageDigest.isEqual(digest(secret.getBytes(StandardCharsets.UTF_8)), secretDigest)
        ? null
        : "wrong ingest secret";
  }

  /** The SHA-256 of a secret: what the handler keeps and compares. */
  public static byte[] digest(byte[] secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The secret of {@code --ingest-secret} or {@code --ingest-secret-file} (without the trailing
   * newline an editor leaves), or null when neither is set.
   */
  public static byte[] secret(String value, Path file) {
    if (value != null) {
      return value.getBytes(StandardCharsets.UTF_8);
    }
    if (file == null) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "--ingest-secret-file: cannot read " + file + ": " + e.getMessage());
    }
    int n = bytes.length;
    while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
      n--;
    }
    if (n < 16) {
      // The length only: a secret never appears in a message.
      throw new IllegalArgumentException(
          "--ingest-secret-file: the secret in " + file + " must be at least 16 bytes (got " + n + ")");
    }
    return Arrays.copyOf(bytes, n);
  }
}
