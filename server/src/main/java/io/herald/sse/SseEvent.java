package io.herald.sse;

import io.herald.history.EventId;
import io.netty.buffer.ByteBuf;

/**
 * A published event, encoded once. Its bytes are one HTTP/1.1 chunk ({@code <hex size>CRLF},
 * the event-stream text, {@code CRLF}), so an HTTP/1.1 stream writes them as they are; an HTTP/2
 * stream writes only the event-stream text in the middle ({@link #payload()}).
 *
 * <p>Reference counting: the event owns one reference to its buffer, held by whoever made the
 * event (the publishing path, for the time it takes to hand it on). Every other holder (a
 * dispatcher queue) takes its own with {@link #retain()} and gives it back with {@link
 * #release()}; every write takes a retained duplicate or slice, which Netty releases once
 * written. The history keeps a copy of the bytes, not the event (see {@code EventHistory}), so
 * a published event is garbage once delivered; a replayed one is a new event over a slice of the
 * history's copy ({@link #stored}).
 *
 * <p>A run is several consecutive events of one topic in one chunk, built for one delivery
 * batch so that each subscriber gets them in one write (see {@link SseEncoder#run}); it carries
 * the id of its last event.
 */
public final class SseEvent {
  private final long firstPosition;
  private final int count;
  private final long position;
  private final EventId id;
  private String idText; // made on first use for a replayed event (most never need it)
  private final String topic;
  private final ByteBuf chunk;
  private final int payloadOffset;
  private final int payloadLength;
  private final long acceptedNanos;

  SseEvent(
      long position,
      EventId id,
      String idText,
      String topic,
      ByteBuf chunk,
      int payloadOffset,
      int payloadLength,
      long acceptedNanos) {
    this(position, 1, position, id, idText, topic, chunk, payloadOffset, payloadLength, acceptedNanos);
  }

  /**
   * @param idText {@code id.toString()} when the encoder made it already, or null: made on first
   *     use
   */
  SseEvent(
      long firstPosition,
      int count,
      long position,
      EventId id,
      String idText,
      String topic,
      ByteBuf chunk,
      int payloadOffset,
      int payloadLength,
      long acceptedNanos) {
    this.firstPosition = firstPosition;
    this.count = count;
    this.position = position;
    this.id = id;
    this.idText = idText;
    this.topic = topic;
    this.chunk = chunk;
    this.payloadOffset = payloadOffset;
    this.payloadLength = payloadLength;
    this.acceptedNanos = acceptedNanos;
  }

  /**
   * An event whose bytes are kept elsewhere (the history's segments), made again for a replay.
   * Takes over the caller's reference to {@code chunk}.
   *
   * @param chunk the event's HTTP/1.1 chunk, as {@link SseEncoder#encode} wrote it
   * @param payloadOffset where the event-stream text starts in {@code chunk}
   */
  public static SseEvent stored(
      long position,
      EventId id,
      String topic,
      ByteBuf chunk,
      int payloadOffset,
      long acceptedNanos) {
    int payloadLength = chunk.readableBytes() - payloadOffset - 2; // the chunk ends with CRLF
    return new SseEvent(
        position, id, null, topic, chunk, payloadOffset, payloadLength, acceptedNanos);
  }

  /**
   * Position in the publish order of this process: contiguous, starting at 1. For a run (see
   * {@link SseEncoder#run}), the position of its last event.
   */
  public long position() {
    return position;
  }

  /** Position of the first event this holds: {@link #position()} unless this is a run. */
  public long firstPosition() {
    return firstPosition;
  }

  /** How many events this holds: 1, or the length of a run. */
  public int count() {
    return count;
  }

  public EventId id() {
    return id;
  }

  public String idText() {
    // Racy but benign, as String.hashCode: every thread that makes it makes an equal string.
    String text = idText;
    if (text == null) {
      text = id.toString();
      idText = text;
    }
    return text;
  }

  public String topic() {
    return topic;
  }

  /** Bytes this event costs a subscriber's queue (the HTTP/1.1 chunk). */
  public int size() {
    return chunk.readableBytes();
  }

  /** {@link System#nanoTime()} when the event was accepted, for delivery-lag figures. */
  public long acceptedNanos() {
    return acceptedNanos;
  }

  /** A new reference to the HTTP/1.1 chunk, for one write; the writer's pipeline releases it. */
  public ByteBuf http1Chunk() {
    return chunk.retainedDuplicate();
  }

  /**
   * The HTTP/1.1 chunk itself, not a new reference, for a writer that hands its bytes to the
   * kernel at once ({@code transport.DirectSend}): read it while the event is held; never keep,
   * write or release it.
   */
  public ByteBuf http1ChunkView() {
    return chunk;
  }

  /** A new reference to the event-stream text alone, for one write (HTTP/2 DATA). */
  public ByteBuf payload() {
    return chunk.retainedSlice(chunk.readerIndex() + payloadOffset, payloadLength);
  }

  int payloadLength() {
    return payloadLength;
  }

  /** Where the event-stream text starts in the HTTP/1.1 chunk (after {@code <hex size>CRLF}). */
  public int payloadOffset() {
    return payloadOffset;
  }

  /** Copies the whole HTTP/1.1 chunk into {@code target} (the history keeping its copy). */
  public void copyChunkTo(ByteBuf target) {
    target.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
  }

  /** Copies the event-stream text into {@code target} (building a run). */
  void writePayloadTo(ByteBuf target) {
    target.writeBytes(chunk, chunk.readerIndex() + payloadOffset, payloadLength);
  }

  /** The event-stream text, decoded, for tests and diagnostics. */
  public String payloadText() {
    return chunk.toString(
        chunk.readerIndex() + payloadOffset, payloadLength, java.nio.charset.StandardCharsets.UTF_8);
  }

  public SseEvent retain() {
    chunk.retain();
    return this;
  }

  public boolean release() {
    return chunk.release();
  }

  public int refCnt() {
    return chunk.refCnt();
  }

  @Override
  public String toString() {
    return "SseEvent{" + idText() + " " + topic + " " + payloadLength + "B}";
  }
}
