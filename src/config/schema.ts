// The one configuration schema: TypeScript type, defaults, help text and validation all come
// from here, and each is written once: a field carries its own default, a section only says
// "absent means empty" (`prefault({})`, which zod 4 parses as input so the fields' defaults
// apply), durations leave the schema as milliseconds, and the trust levels are core's.
// The README's configuration table and config/nfmon.example.yaml are rendered from the help texts
// here (`.describe()`, and `.meta()` for longer comments and examples: see ./docs.ts) by
// `npm run docs:config`; test/config/docs.test.ts fails when either is stale.
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
  trust: trust.default('known').describe('Trust level; only an unknown device raises the unknown_device alert'),
  quiet_hours: quietHours.optional().describe('Quiet hours of this device, overriding rules.quiet_hours'),
  ip: z.string().optional().describe('Static IP of the device when no DHCP lease names it'),
});

const service = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9_]+$/, { message: 'expected a lower-case name like disney_plus' })
    .describe('Name of the service in lower case, e.g. disney_plus'),
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
    .describe("Time zone of the Pi-hole log's timestamps and of quiet hours (IANA name)")
    .meta({ defaultText: 'the system zone', examples: ['Europe/Amsterdam'] }),
  database: z.string().min(1).default('/var/lib/nfmon/nfmon.db').describe('SQLite database file, created on first use; --db overrides it'),
  log_level: z
    .enum(['debug', 'info', 'warn', 'error'])
    .default('info')
    .describe('Log verbosity')
    .meta({ details: 'Logs go to stdout/stderr (journald under systemd), never to a file.' }),
  pihole: z
    .strictObject({
      log: z
        .string()
        .default('/var/log/pihole/pihole.log')
        .describe('The Pi-hole (dnsmasq) query log to tail (/var/log/pihole.log before mid-2022)')
        .meta({
          details: 'Pi-hole v6 and late v5 write /var/log/pihole/pihole.log, older versions /var/log/pihole.log. ' +
            'Rotated files (pihole.log.1, pihole.log.2.gz) are read on catch-up.',
        }),
      database: z
        .union([z.string().min(1), z.literal(false)], { error: 'expected the path of pihole-FTL.db, or false to turn it off' })
        .optional()
        .describe("Pi-hole's query database, read-only: query history and the MACs of its network table; false: off")
        .meta({
          details: 'The network table gives the MAC, vendor and name behind each address (useful when the router, ' +
            'not Pi-hole, does DHCP). Unset: /etc/pihole/pihole-FTL.db when it exists and nfmon can read it (group pihole).',
          defaultText: '`/etc/pihole/pihole-FTL.db` if readable',
          examples: ['/etc/pihole/pihole-FTL.db'],
        }),
    })
    .prefault({}),
  leases: z
    .strictObject({
      files: z
        .array(z.string())
        .default(['/etc/pihole/dhcp.leases'])
        .describe('DHCP lease files: dnsmasq/Pi-hole dhcp.leases, OpenWrt /tmp/dhcp.leases, ISC dhcpd.leases, Kea kea-leases4.csv, Pi-hole API JSON'),
      urls: z
        .array(z.string().url())
        .default([])
        .describe('Pi-hole v6 /api/dhcp/leases URLs to poll, when the leases live on another host')
        .meta({ examples: [['http://pi.hole/api/dhcp/leases']] }),
      password_file: z
        .string()
        .optional()
        .describe('File holding the Pi-hole v6 app password for the URLs')
        .meta({ examples: ['/etc/nfmon/pihole-password'] }),
      poll: z.string().default('*/5 * * * *').describe('cron schedule for polling the lease URLs'),
      lease_time: duration('Assumed lease length: dnsmasq lease files only give the expiry, so a lease started this long before it', '24h'),
    })
    .prefault({}),
  captures: z
    .strictObject({
      dir: z
        .string()
        .optional()
        .describe('Directory where tcpdump (nfmon-capture.service, tcpdump -G) writes rotated capture files; unset: no captures')
        .meta({ examples: ['/var/lib/nfmon/captures'] }),
      keep: z.boolean().default(false).describe('Keep capture files after ingesting them (false deletes them: SD cards are small)'),
      idle: duration('A capture file untouched this long is complete, even if tcpdump has not moved on', '2m'),
      prefixes_file: z
        .string()
        .optional()
        .describe('Open Connect prefix list replacing the bundled data/netflix-prefixes.txt')
        .meta({ defaultText: 'bundled', examples: ['/etc/nfmon/netflix-prefixes.txt'] }),
    })
    .prefault({}),
  sessions: z
    .strictObject({
      gap: duration('Silence after the last evidence of playing that ends a session (telemetry can be quiet for ~20 min while a title plays)', '20m'),
      hd_mbps: z
        .number()
        .positive()
        .default(3)
        .describe('Sustained Mbit/s from which a session is HD')
        .meta({
          details: "Quality comes from the sustained bitrate of a session with flow data. Netflix's own guidance is " +
            '3 Mbit/s for HD (720p), 5 for 1080p and 15 for UHD; observed sustained rates are lower than those ' +
            'ceilings, hence the defaults.',
        }),
      uhd_mbps: z.number().positive().default(8).describe('Sustained Mbit/s from which a session is UHD'),
      min_video_bytes: z
        .number()
        .int()
        .nonnegative()
        .default(250_000)
        .describe('Video bytes a session proven by flows alone needs to count as viewing')
        .meta({ details: 'A probe or a connection check moves a few kB; even a short preview moves hundreds of kB.' }),
    })
    .prefault({}),
  rules: z
    .strictObject({
      quiet_hours: quietHours.default('00:00-06:00').describe('Local time window in which viewing alerts (devices[].quiet_hours overrides it)'),
      max_concurrent_streams: z.number().int().min(1).default(2).describe('Screens the Netflix plan allows; one more at the same time alerts'),
      unknown_device: z.boolean().default(true).describe('Alert once when a device not marked known streams'),
      daily_summary: z
        .string()
        .optional()
        .describe('cron schedule of a daily summary alert; unset: none')
        .meta({ examples: ['0 8 * * *'] }),
      notify_max_age: duration('Alerts about events older than this when first derived are recorded as history, never pushed', '1h'),
      unusual_hour: unusualHour
        .prefault({})
        .describe('Alert when a device starts a play at an hour of the week it (almost) never watches')
        .meta({
          details: 'Judged against its own plays of the last `window`; no alert until the device has plays on ' +
            '`min_days` local days and `min_sessions` plays in the window.',
        }),
      dns_bypass: dnsBypass
        .prefault({})
        .describe('Alert when a device streams video without asking Pi-hole (needs captures)')
        .meta({
          details: 'Video in the captures with no lookup of any Netflix name through Pi-hole by that device in the ' +
            '`lookback` before: it resolves elsewhere (DNS-over-HTTPS, port 853, or a hard-coded 8.8.8.8). ' +
            'Once per device per day.',
        }),
    })
    .prefault({}),
  devices: z
    .array(device)
    .default([])
    .describe('Devices you know, each with these keys')
    .meta({
      examples: [[
        { mac: 'aa:bb:cc:dd:ee:01', name: 'Living room TV', trust: 'trusted' },
        { mac: 'aa:bb:cc:dd:ee:02', name: 'Kids tablet', trust: 'known', quiet_hours: '20:30-07:00', ip: '192.168.1.50' },
      ]],
    }),
  services: z
    .array(service)
    .default([])
    .describe('More services to monitor, in the shape of the built-in Netflix')
    .meta({
      examples: [[{ name: 'disney_plus', domains: ['disneyplus.com', 'bamgrid.com', 'dssott.com'], video_domains: ['dssott.com'], video_prefixes: [] }]],
    }),
  retention: z
    .strictObject({
      events: duration('How long raw events are kept; older ones are deleted nightly (sessions and alerts are kept)', '90d'),
    })
    .prefault({}),
  homeassistant: z
    .strictObject({
      url: z
        .string()
        .refine((u) => /^https?:\/\/[^/\s]+/.test(u) && URL.canParse(u), { message: 'expected the base URL as in the browser, http(s)://host:8123' })
        .optional()
        .describe('Home Assistant base URL as in the browser; nfmon uses /api/websocket under it')
        .meta({ examples: ['http://homeassistant.local:8123'] }),
      token: z
        .string()
        .min(1)
        .optional()
        .describe('Long-lived access token (prefer token_file, or env NFMON_HA_TOKEN)')
        .meta({ examples: ['<long-lived access token>'] }),
      token_file: z
        .string()
        .optional()
        .describe('File holding the long-lived access token')
        .meta({ examples: ['/etc/nfmon/ha-token'] }),
      notify: z
        .string()
        .regex(/^notify\.[a-z0-9_]+$/, { message: 'expected a notify service such as notify.mobile_app_pixel' })
        .optional()
        .describe('notify service each alert is sent to')
        .meta({ examples: ['notify.mobile_app_pixel'] }),
      event: z.boolean().default(true).describe('Also fire an nfmon_alert event for automations'),
    })
    .optional()
    .describe('Home Assistant alerts over its websocket API; unset: alerts are only stored and printed'),
  http: httpSchema,
  mqtt: z
    .strictObject({
      url: z
        .string()
        .refine((u) => /^mqtts?:\/\/[^/\s@]+\/?$/.test(u), {
          message: 'expected mqtt://host:1883 or mqtts://host:8883 (user and password go in username and password_file)',
        })
        .optional()
        .describe("The broker of Home Assistant's MQTT integration (mqtts:// for TLS; no user or password in the URL); unset: off")
        .meta({ examples: ['mqtt://homeassistant.local:1883'] }),
      username: z.string().min(1).optional().describe('MQTT user name').meta({ examples: ['nfmon'] }),
      password_file: z
        .string()
        .optional()
        .describe('File holding the MQTT password (or env NFMON_MQTT_PASSWORD)')
        .meta({ examples: ['/etc/nfmon/mqtt-password'] }),
      discovery_prefix: z
        .string()
        .regex(/^[^#+\s]+$/, { message: 'expected a topic prefix without wildcards, e.g. homeassistant' })
        .default('homeassistant')
        .describe("Home Assistant's MQTT discovery prefix (Settings > MQTT > Configure > discovery prefix)"),
      base_topic: z
        .string()
        .regex(/^[^#+\s]+$/, { message: 'expected a topic prefix without wildcards, e.g. nfmon' })
        .default('nfmon')
        .describe('Topic under which nfmon publishes its states and <base_topic>/availability (online/offline)'),
    })
    .refine((m) => m.base_topic !== m.discovery_prefix, { message: 'must differ from discovery_prefix', path: ['base_topic'] })
    .prefault({})
    .describe('Home Assistant entities over MQTT discovery: binary_sensor.netflix_active, sensor.netflix_streams, event.netflix_alert and one device per screen'),
  viewing_activity: z
    .strictObject({
      store_titles: z.boolean().default(true).describe("Keep the titles of plays imported from Netflix's ViewingActivity.csv (false: only a hash)"),
      tolerance: duration('Clock skew and app start-up allowed when matching plays to sessions', '5m'),
      home_country: z
        .string()
        .regex(/^[A-Z]{2}$/, { message: 'expected a two-letter country code such as NL' })
        .optional()
        .describe('Two-letter home country')
        .meta({ defaultText: 'the most common country of the export', examples: ['NL'] }),
    })
    .prefault({}),
});

export type RawConfig = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type DeviceConfig = z.output<typeof device>;
