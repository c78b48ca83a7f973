package io.herald.fanout;

import io.herald.sse.EventStream;
import io.herald.sse.SseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Records the event-stream text of every write; never blocks. */
final class RecordingStream implements EventStream {
  private static final Pattern DATA = Pattern.compile("^data: (.*)$", Pattern.MULTILINE);
  private static final Pattern ID = Pattern.compile("^id: (.*)$", Pattern.MULTILINE);
  final List<String> writes = new ArrayList<>();
  boolean aborted;

  List<String> data() {
    List<String> data = new ArrayList<>();
    for (String write : writes) {
      Matcher m = DATA.matcher(write);
      while (m.find()) {
        data.add(m.group(1));
      }
    }
    return data;
  }

  /** The id of each write's last event. */
  List<String> lastIds() {
    List<String> ids = new ArrayList<>();
    for (String write : writes) {
      Matcher m = ID.matcher(write);
      String last = null;
      while (m.find()) {
        last = m.group(1);
      }
      ids.add(last);
    }
    return ids;
  }

  @Override
  public void writeEvent(SseEvent event) {
    writes.add(event.payloadText());
  }

  @Override
  public void writeText(String text) {}

  @Override
  public void flush() {}

  @Override
  public boolean isWritable() {
    return true;
  }

  @Override
  public long queuedBytes() {
    return 0;
  }

  @Override
  public int queuedWrites() {
    return 0;
  }

  @Override
  public void end(String text) {}

  @Override
  public void abort() {
    aborted = true;
  }
}
