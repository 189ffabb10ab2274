// What Home Assistant's MQTT entities show, read from the store: per device that ever streamed
// whether it plays now, its minutes today and its last session; how many play; the last alert.
import type { MqttSnapshot } from '../notify/mqtt/model.js';
import type { IngestDeps } from '../ingest/deps.js';
import { toOutgoing } from './outbox.js';
import { deviceRefs, loadActivity, macOf } from '../ingest/views.js';

export function entitySnapshot(app: IngestDeps, now: number): MqttSnapshot {
  const ref = deviceRefs(app);
  const devices = loadActivity(app, now).map((r) => ({
    id: r.device,
    name: ref(r.device, r.ip).name,
    mac: macOf(r.device),
    // The MQTT publisher closes a session by its own timer, at lastEvidenceAt + gap.
    playing: r.lastSession !== null && now - r.lastSession.end < app.sessionOptions.gapMs,
    minutesToday: r.todayMinutes,
    lastSessionStart: r.lastSession?.start ?? null,
    lastEvidenceAt: r.lastSession?.end ?? null,
  }));
  const streams = devices.filter((d) => d.playing).length;
  const last = app.store.alerts.latest();
  return { now, devices, streams, active: streams > 0, lastAlert: last ? toOutgoing(app, last) : null };
}
