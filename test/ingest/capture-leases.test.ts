// A capture's addresses with their MACs are input like its flows: they are stored in the same
// transaction as the file's "complete" mark. Stored after it, a full disk or a kill between the
// two left the capture done and its MACs lost for good, so its plays stayed on `ip:` devices
// that a clean run puts on the MAC (found by test/ingest/failed-ingest.test.ts at another size).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { openIngestDeps } from '../../src/ingest/deps.js';
import { ingestAll } from '../../src/ingest/ingest.js';
import { tempDir, type TempDir } from '../helpers/daemon-harness.js';
import { IngestFixture } from '../helpers/derived-state.js';

let t: TempDir;
let fx: IngestFixture;
beforeAll(() => {
  t = tempDir('nfmon-capture-leases-');
  fx = IngestFixture.create(t.dir, 1, 3);
});
afterAll(() => t.remove());

describe('a capture and the MACs it saw', () => {
  it('a failure while storing the MACs leaves the capture unread, and the retry stores both', async () => {
    const { config } = loadConfig(fx.h.config);
    const db = fx.freshDb('fail.db');
    const capture = fx.captures[0]!;
    const app = openIngestDeps(config, db);
    try {
      const add = app.store.leases.add.bind(app.store.leases);
      let calls = 0;
      app.store.leases.add = (...args) => {
        calls++;
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL', args: args.length });
      };
      const failed = await ingestAll(app, { logs: [], leases: [], pcaps: [capture], viewingActivity: [] }, { now: Date.now() });
      expect(failed.errors.join('\n')).toMatch(/disk is full/);
      expect(calls, 'the capture saw MACs of local addresses').toBeGreaterThan(0);
      expect(app.store.sources.all().filter((s) => s.kind === 'capture' && s.complete)).toEqual([]);
      expect(app.store.leases.all().filter((l) => l.source === 'capture')).toEqual([]);
      app.store.leases.add = add;
      const again = await ingestAll(app, { logs: [], leases: [], pcaps: [capture], viewingActivity: [] }, { now: Date.now() });
      expect(again.pcaps[0]?.alreadyIngested).toBe(false);
      expect(app.store.leases.all().filter((l) => l.source === 'capture').length).toBeGreaterThan(0);
      expect(app.store.sources.all().filter((s) => s.kind === 'capture' && s.complete).length).toBe(1);
    } finally {
      app.close();
    }
  }, 60_000);
});
