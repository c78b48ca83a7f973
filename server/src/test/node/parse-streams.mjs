// Reads event streams from stdin, one per line as base64 of the raw bytes, and answers each with
// one JSON line of what the reference parser (eventsource-parser) made of it:
//   {"events":[{"id","event","data","lastEventId"}], "retries":[ms], "comments":[..], "errors":[..]}
// "id" is the event's own id field; "lastEventId" is the id a browser would hold when the event
// fires (the standard keeps it across events until an id field changes it).
// Bytes are decoded as a browser does (UTF-8), but strictly: invalid UTF-8 is reported as an
// error instead of being replaced, and a BOM is kept so that the parser's stripping is visible.
import { createParser } from 'eventsource-parser';
import { createInterface } from 'node:readline';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });

for await (const line of lines) {
  const result = { events: [], retries: [], comments: [], errors: [] };
  let lastEventId = '';
  const parser = createParser({
    onId: (id) => { lastEventId = id; },
    onEvent: (e) => {
      if (e.id !== undefined) lastEventId = e.id;
      result.events.push({ id: e.id ?? null, event: e.event ?? null, data: e.data, lastEventId });
    },
    onRetry: (ms) => result.retries.push(ms),
    onComment: (c) => result.comments.push(c),
    onError: (err) => result.errors.push(String(err.message ?? err)),
  });
  try {
    const text = decoder.decode(Buffer.from(line, 'base64'));
    result.startsWithBom = text.startsWith('\uFEFF');
    parser.feed(text);
  } catch (err) {
    result.errors.push('cannot decode: ' + err.message);
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}
