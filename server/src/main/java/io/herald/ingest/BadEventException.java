package io.herald.ingest;

/** An event a publisher sent that Herald refuses; the message is the reason sent back to it. */
public final class BadEventException extends RuntimeException {
  public BadEventException(String reason) {
    super(reason, null, false, false);
  }
}
