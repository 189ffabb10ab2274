// The one configuration schema: TypeScript type, defaults, help text and validation all come
// from here, and each is written once: a field carries its own default, a section only says
// "absent means empty" (`prefault({})`, which zod 4 parses as input so the fields' defaults
// apply), durations leave the schema as milliseconds, and the trust levels are core's.
// config/nfmon.example.yaml documents the same keys; a test keeps them in step.
import { z } from 'zod';
import { isValidTimeZone } from '../core/time.js';
import { TRUST_LEVELS } from '../core/types.js';
import { parseDuration } from '../core/duration.js';
import { httpSchema } from './http.js';

/** A duration as written in YAML (`90s`, `10m`, `24h`, `7d`), in milliseconds once parsed. */
const duration = (help: string, fallback: string) =>
  z
    .string()
    .refine((s) => parseDuration(s) !== undefined, { message: 'expected a duration such as 90s, 10m, 24h or 7d' })
    .transform((s) => parseDuration(s) ?? Number.NaN)
    .prefault(fallback)
    .describe(help);

const HHMM = '([01]\\d|2[0-3]):[0-5]\\d';
const quietHours = z
  .string()
  .regex(new RegExp(`^${HHMM}-${HHMM}$`), { message: 'expected "HH:MM-HH:MM", e.g. "00:00-06:00"' });

const macString = z
  .string()
  .regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, { message: 'expected a MAC address like aa:bb:cc:dd:ee:ff' });

const trust = z.enum(TRUST_LEVELS);

const device = z.strictObject({
  mac: macString.describe('MAC address of the device (its identity)'),
  name: z.string().min(1).optional().describe('Name shown in the CLI and in alerts'),
  trust: trust.default('known').describe('unknown | known | trusted; known devices raise no unknown_device alert'),
  quiet_hours: quietHours.optional().describe('Per-device quiet hours, overriding rules.quiet_hours'),
  ip: z.string().optional().describe('Static IP of the device when no DHCP lease names it'),
});

const service = z.strictObject({
  name: z.string().regex(/^[a-z0-9_]+$/, { message: 'expected a lower-case name like disney_plus' }),
  domains: z.array(z.string()).min(1).describe('Domains of the service; sub-domains match too'),
  video_domains: z.array(z.string()).default([]).describe('Domains whose lookups mean video is playing'),
  video_prefixes: z.array(z.string()).default([]).describe('CIDR prefixes of the video CDN'),
  playback_domains: z.array(z.string()).default([]).describe('Domains of telemetry sent only while a title plays (carries a session, never starts one)'),
  background_domains: z.array(z.string()).default([]).describe('Domains of idle phone-home (never starts or extends a session)'),
});

const unusualHour = z.strictObject({
  enabled: z.boolean().default(true).describe('Turn the unusual_hour rule on or off'),
  window: duration("How far back a device's plays make its profile of usual hours", '30d'),
  min_days: z.number().int().min(1).default(14).describe('Days with a play inside the window before a device is judged'),
  min_sessions: z.number().int().min(1).default(10).describe('Plays inside the window before a device is judged'),
});

const dnsBypass = z.strictObject({
  enabled: z.boolean().default(true).describe('Turn the dns_bypass rule on or off'),
  lookback: duration("How long before a play a lookup through Pi-hole still explains it (covers the names' DNS TTLs)", '10m'),
});

const defaultTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export const configSchema = z.strictObject({
  timezone: z
    .string()
    .refine(isValidTimeZone, { message: 'expected an IANA time zone such as Europe/Amsterdam' })
    .default(defaultTimeZone)
    .describe('Time zone of the Pi-hole log and of quiet hours (IANA name); default: the system zone'),
  database: z.string().min(1).default('/var/lib/nfmon/nfmon.db').describe('SQLite database file'),
  log_level: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('Log verbosity'),
  pihole: z
    .strictObject({
      log: z.string().default('/var/log/pihole/pihole.log').describe('The Pi-hole (dnsmasq) query log to tail'),
      database: z
        .union([z.string().min(1), z.literal(false)], { error: 'expected the path of pihole-FTL.db, or false to turn it off' })
        .optional()
        .describe("Pi-hole's query database, read-only; unset: /etc/pihole/pihole-FTL.db when it exists and is readable; false: off"),
    })
    .prefault({}),
  leases: z
    .strictObject({
      files: z.array(z.string()).default(['/etc/pihole/dhcp.leases']).describe('DHCP lease files to read'),
      urls: z
        .array(z.string().url())
        .default([])
        .describe('Pi-hole v6 /api/dhcp/leases URLs to poll'),
      password_file: z.string().optional().describe('File holding the Pi-hole v6 app password for the URLs'),
      poll: z.string().default('*/5 * * * *').describe('cron schedule for polling lease URLs'),
      lease_time: duration('Assumed lease length when a lease file only gives the expiry', '24h'),
    })
    .prefault({}),
  captures: z
    .strictObject({
      dir: z.string().optional().describe('Directory where tcpdump writes rotated capture files'),
      keep: z.boolean().default(false).describe('Keep capture files after ingesting them (else delete)'),
      idle: duration('A capture file untouched this long is complete', '2m'),
      prefixes_file: z.string().optional().describe('Open Connect prefix list replacing the bundled one'),
    })
    .prefault({}),
  sessions: z
    .strictObject({
      gap: duration('Silence after the last evidence of playing that ends a session (telemetry can be quiet for ~20 min while a title plays)', '20m'),
      hd_mbps: z.number().positive().default(3).describe('Sustained Mbit/s from which a session is HD'),
      uhd_mbps: z.number().positive().default(8).describe('Sustained Mbit/s from which a session is UHD'),
      min_video_bytes: z
        .number()
        .int()
        .nonnegative()
        .default(250_000)
        .describe('Video bytes a flow-only session needs to count as viewing'),
    })
    .prefault({}),
  rules: z
    .strictObject({
      quiet_hours: quietHours.default('00:00-06:00').describe('Local time window in which viewing alerts'),
      max_concurrent_streams: z.number().int().min(1).default(2).describe('Screens the Netflix plan allows'),
      unknown_device: z.boolean().default(true).describe('Alert once when an unknown device streams'),
      daily_summary: z.string().optional().describe('cron schedule of a daily summary alert, e.g. "0 8 * * *"'),
      notify_max_age: duration('Alerts about events older than this when first derived are recorded as history, never pushed', '1h'),
      unusual_hour: unusualHour.prefault({}).describe('Alert when a device starts a play at an hour it (almost) never watches'),
      dns_bypass: dnsBypass.prefault({}).describe('Alert when a device streams video without asking Pi-hole (needs captures)'),
    })
    .prefault({}),
  devices: z.array(device).default([]).describe('Devices you know: MAC, name, trust'),
  services: z.array(service).default([]).describe('Extra services to monitor, in the shape of the built-in Netflix'),
  retention: z
    .strictObject({
      events: duration('How long raw events are kept', '90d'),
    })
    .prefault({}),
  homeassistant: z
    .strictObject({
      url: z
        .string()
        .refine((u) => /^https?:\/\/[^/\s]+/.test(u) && URL.canParse(u), { message: 'expected the base URL as in the browser, http(s)://host:8123' })
        .optional()
        .describe('Home Assistant base URL; the websocket is /api/websocket under it'),
      token: z.string().min(1).optional().describe('Long-lived access token (prefer token_file)'),
      token_file: z.string().optional().describe('File holding the long-lived access token'),
      notify: z
        .string()
        .regex(/^notify\.[a-z0-9_]+$/, { message: 'expected a notify service such as notify.mobile_app_pixel' })
        .optional()
        .describe('notify service each alert is sent to'),
      event: z.boolean().default(true).describe('Also fire an nfmon_alert event for automations'),
    })
    .optional(),
  http: httpSchema,
  mqtt: z
    .strictObject({
      url: z
        .string()
        .refine((u) => /^mqtts?:\/\/[^/\s@]+\/?$/.test(u), {
          message: 'expected mqtt://host:1883 or mqtts://host:8883 (user and password go in username and password_file)',
        })
        .optional()
        .describe('MQTT broker for Home Assistant entities (MQTT discovery); unset: off'),
      username: z.string().min(1).optional().describe('MQTT user name'),
      password_file: z.string().optional().describe('File holding the MQTT password (or env NFMON_MQTT_PASSWORD)'),
      discovery_prefix: z
        .string()
        .regex(/^[^#+\s]+$/, { message: 'expected a topic prefix without wildcards, e.g. homeassistant' })
        .default('homeassistant')
        .describe("Home Assistant's MQTT discovery prefix"),
      base_topic: z
        .string()
        .regex(/^[^#+\s]+$/, { message: 'expected a topic prefix without wildcards, e.g. nfmon' })
        .default('nfmon')
        .describe('Topic under which nfmon publishes its states and availability'),
    })
    .refine((m) => m.base_topic !== m.discovery_prefix, { message: 'must differ from discovery_prefix', path: ['base_topic'] })
    .prefault({}),
  viewing_activity: z
    .strictObject({
      store_titles: z.boolean().default(true).describe('Keep titles of imported plays (false: only a hash)'),
      tolerance: duration('Clock skew and app start-up allowed when matching plays to sessions', '5m'),
      home_country: z
        .string()
        .regex(/^[A-Z]{2}$/, { message: 'expected a two-letter country code such as NL' })
        .optional()
        .describe('Home country; default: the most common country of the export'),
    })
    .prefault({}),
});

export type RawConfig = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type DeviceConfig = z.output<typeof device>;
