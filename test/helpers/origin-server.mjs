// The far end of the test LAN: one HTTPS server for every name the upstream DNS answers (Open
// Connect video, the API behind netflix.com, artwork). `GET /range/<first>-<last>` sends that many
// bytes of video; anything else is a small JSON answer, as telemetry and API calls get.
// Run inside the "internet" namespace: node origin-server.mjs KEY CERT [HOST] [PORT]
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [key, cert, host = '0.0.0.0', port = '443'] = process.argv.slice(2);
if (!key || !cert) {
  console.error('usage: origin-server.mjs KEY CERT [HOST] [PORT]');
  process.exit(2);
}
const chunk = Buffer.alloc(64 * 1024, 0x61);

const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
  const range = /^\/range\/(\d+)-(\d+)/.exec(req.url ?? '');
  if (!range) {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    return;
  }
  let left = Number(range[2]) - Number(range[1]) + 1;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left) });
  // Written as the client reads (backpressure): a rate-limited client paces the transfer.
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
});
server.on('tlsClientError', (err) => console.error(`tls: ${err.message}`));
server.listen(Number(port), host, () => console.log(`listening on ${host}:${port}`));
process.on('SIGTERM', () => process.exit(0));
