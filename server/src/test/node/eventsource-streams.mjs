// Plays each event stream to the npm `eventsource` client (the EventSource of browsers, for
// Node) over a real HTTP connection, and answers with one JSON line of what the client did.
// Input, one JSON line per stream: {"body": base64 of the response body, "cuts": [byte offsets]}.
// The body is written in pieces split at those offsets (one write each, so chunk and packet
// boundaries fall mid-line and mid-character), then the response ends. The client then
// reconnects after its reconnection time (set by `retry:`), sending Last-Event-ID as it holds
// it; that second request is answered 204, which stops an EventSource for good.
// Output: {"events":[{"type","data","lastEventId"}], "reconnect":{"lastEventId","afterMs"},
//          "errors":[..]}; lastEventId of the reconnect is null when the header was not sent.
import { EventSource } from 'eventsource';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

let stream = null;

const server = createServer(async (req, res) => {
  const current = stream;
  if (!current) {
    res.writeHead(503).end();
    return;
  }
  current.requests.push({ lastEventId: req.headers['last-event-id'] ?? null, at: performance.now() });
  if (current.requests.length > 1) {
    res.writeHead(204).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const piece of current.pieces) {
    res.write(piece);
    await new Promise((resolve) => setImmediate(resolve)); // a separate write on the socket
  }
  res.end(() => { current.endedAt = performance.now(); });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/events`;

function pieces(bytes, cuts) {
  const at = [...new Set(cuts.filter((c) => c > 0 && c < bytes.length))].sort((a, b) => a - b);
  const out = [];
  let from = 0;
  for (const cut of [...at, bytes.length]) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  return out.filter((p) => p.length > 0);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  const input = JSON.parse(line);
  const result = { events: [], reconnect: null, errors: [] };
  stream = { pieces: pieces(Buffer.from(input.body, 'base64'), input.cuts ?? []), requests: [] };
  await new Promise((resolve) => {
    const es = new EventSource(url);
    const giveUp = setTimeout(() => {
      result.errors.push('no reconnect within 20 s');
      es.close();
      resolve();
    }, 20_000);
    // Every event the client dispatches, whatever its type (named events need no listener).
    const dispatch = es.dispatchEvent.bind(es);
    es.dispatchEvent = (e) => {
      if (e.type === 'error') {
        if (es.readyState === EventSource.CLOSED) { // the 204: done
          clearTimeout(giveUp);
          resolve();
        }
      } else if (e.type !== 'open') {
        result.events.push({ type: e.type, data: e.data, lastEventId: e.lastEventId });
      }
      return dispatch(e);
    };
  });
  const [first, second] = stream.requests;
  if (first && first.lastEventId !== null) {
    result.errors.push('the first request sent Last-Event-ID ' + first.lastEventId);
  }
  if (second) {
    result.reconnect = { lastEventId: second.lastEventId, afterMs: second.at - (stream.endedAt ?? first.at) };
  }
  stream = null;
  process.stdout.write(JSON.stringify(result) + '\n');
}
server.close();
