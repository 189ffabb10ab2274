// device set, forget: the user's word on a device, and erasing one.
import type { Command } from 'commander';
import { loggerTo } from '../../core/log.js';
import { normalizeMac } from '../../core/mac.js';
import type { IngestDeps } from '../../ingest/deps.js';
import { rebuildPending } from '../../ingest/rebuild.js';
import { WriterLock } from '../../store/writer-lock.js';
import { parseTrust, UsageError } from '../args.js';
import { printJson, writeLine } from '../output.js';
import { withApp } from './common.js';
import { resolveDevices } from '../device-arg.js';

export function registerDeviceCommands(program: Command): void {
  const device = program.command('device').description('name a device or mark it known');
  device
    .command('set <mac>')
    .description('set the name and/or trust (unknown | known | trusted) of a device')
    .option('--name <name>', 'name shown in the CLI and alerts')
    .option('--trust <trust>', 'unknown | known | trusted')
    .action(async (macArg: string, opts: { name?: string; trust?: string }, cmd: Command) => {
      const mac = normalizeMac(macArg);
      if (!mac) throw new UsageError(`device set: "${macArg}" is not a MAC address (aa:bb:cc:dd:ee:ff)`);
      if (opts.name === undefined && opts.trust === undefined) throw new UsageError('device set: give --name and/or --trust');
      const trust = opts.trust !== undefined ? parseTrust(opts.trust) : undefined;
      await withApp(cmd, (app) => {
        // The user's word is input: what rules said of the device (unknown_device, its name in
        // messages) is derived again from its first activity, as if it had been known all along.
        app.store.tx(() => {
          app.store.devices.setLabel(mac, opts.name, trust);
          const from = app.store.devices.earliestActivity(mac);
          if (from !== undefined) app.store.mark.changed(from);
        });
        deriveIfNoWriter(app);
        if (app.configuredDevices.some((c) => c.mac === mac)) {
          process.stderr.write(`nfmon: note: ${mac} is listed under devices in the config, whose name and trust take precedence\n`);
        }
        writeLine(`${mac}: ${[opts.name !== undefined ? `name "${opts.name}"` : '', trust ? `trust ${trust}` : ''].filter(Boolean).join(', ')}`);
      });
    });

  program
    .command('forget [device]')
    .description("erase a device's events, sessions and alerts (or, with --viewing-activity, every imported play)")
    .option('--viewing-activity', 'erase every play imported from Netflix exports')
    .option('--json', 'print what was erased as JSON')
    .action(async (query: string | undefined, opts: { viewingActivity?: boolean; json?: boolean }, cmd: Command) => {
      if (!query && !opts.viewingActivity) throw new UsageError('forget: name a device (MAC, name, hostname or IP) or give --viewing-activity');
      await withApp(cmd, async (app) => {
        const erased: Record<string, unknown> = {};
        const devices = query ? resolveDevices(app, query, 'forget') : [];
        if (query) erased.devices = devices.map((d) => forgetDevice(app, d));
        if (opts.viewingActivity) erased.plays = app.store.plays.deleteAll();
        deriveIfNoWriter(app);
        // Its Home Assistant entities go too (the daemon, if it runs, drops them on its next refresh anyway).
        if (devices.length > 0 && app.config.mqtt.url) {
          const { forgetOnBroker } = await import('../../notify/mqtt/start.js');
          // Warnings and errors only, on stderr (stdout is the command's answer).
          const logger = loggerTo((_level, line) => process.stderr.write(`${line}\n`), 'warn');
          for (const d of devices) {
            if (!(await forgetOnBroker(app.config, process.env, d, logger))) {
              process.stderr.write(`nfmon: the MQTT broker was not reachable; ${d}'s entities go when nfmon run next publishes\n`);
            }
          }
        }
        if (opts.json) printJson(erased);
        else process.stdout.write(`${JSON.stringify(erased)}\n`);
      });
    });
}

/**
 * Derive what the change left pending now if no writer runs; a running daemon (or ingest)
 * holds the writer lock and derives it itself (the daemon looks at the mark every heartbeat).
 */
function deriveIfNoWriter(app: IngestDeps): void {
  if (app.store.mark.pending() === undefined) return;
  const lock = WriterLock.tryAcquire(app.store.file);
  if (!lock) return;
  try {
    rebuildPending(app.rebuildContext(), Date.now());
  } finally {
    lock.release();
  }
}

export function forgetDevice(app: IngestDeps, device: string): Record<string, unknown> {
  const { store } = app;
  return store.tx(() => {
    // What others' sessions and alerts said with this device in them (concurrent streams) is derived again.
    const from = store.devices.earliestActivity(device);
    if (from !== undefined) store.mark.changed(from);
    const events = store.db.prepare('DELETE FROM dns_events WHERE device = ?').run(device).changes;
    const flows = store.db.prepare('DELETE FROM flows WHERE device = ?').run(device).changes;
    const alerts = store.alerts.deleteDevice(device);
    const sessions = store.sessions.deleteDevice(device);
    const leases = device.startsWith('ip:') ? 0 : store.leases.deleteMac(device);
    store.devices.delete(device);
    return { device, events, flows, sessions, alerts, leases };
  });
}
