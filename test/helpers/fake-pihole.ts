// A Pi-hole v6 API on loopback that serves /api/auth and /api/dhcp/leases as FTL does (pi-hole/FTL
// src/api/docs/content/specs/auth.yaml, dhcp.yaml): a password gives a session id, the `sid`
// header carries it, a request without one is 401.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const PIHOLE_PASSWORD = 'app-password';
export const PIHOLE_SID = 'sid-123';

export interface FakePihole {
  readonly url: string;
  readonly requests: { method: string; path: string; sid: string | undefined }[];
  close(): Promise<void>;
}

/** `leaseBody` replaces the JSON of a signed-in lease request (to serve a broken one). */
export async function fakePihole(leases: object[], leaseBody?: string): Promise<FakePihole> {
  const requests: FakePihole['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const sid = req.headers.sid as string | undefined;
      requests.push({ method: req.method ?? '', path: req.url ?? '', sid });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/api/auth') {
        const ok = (JSON.parse(body) as { password?: string }).password === PIHOLE_PASSWORD;
        res.statusCode = ok ? 200 : 401;
        res.end(JSON.stringify(ok ? { session: { valid: true, sid: PIHOLE_SID } } : { session: { valid: false } }));
      } else if (req.url === '/api/dhcp/leases') {
        res.statusCode = sid === PIHOLE_SID ? 200 : 401;
        res.end(sid === PIHOLE_SID ? (leaseBody ?? JSON.stringify({ leases, took: 0.001 })) : JSON.stringify({ error: { key: 'unauthorized' } }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/api/dhcp/leases`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
