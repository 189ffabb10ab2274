#!/usr/bin/env node
// node bench/gen-viewing.mjs OUT ROWS [HUGE_FIELD_MB]: a ViewingActivity.csv in the export's shape
// (../shared/corpus/netflix-export/FORMAT.md), newest first, several profiles, devices and countries.
// With HUGE_FIELD_MB, one row's title is that many MB long (a hostile file).
import { createWriteStream } from 'node:fs';

const [out, rowsArg = '300000', hugeArg = '0'] = process.argv.slice(2);
if (!out) {
  console.error('usage: gen-viewing.mjs OUT ROWS [HUGE_FIELD_MB]');
  process.exit(2);
}
const rows = Number(rowsArg);
const hugeMb = Number(hugeArg);
const profiles = ['Dad', 'Mum', 'Kids', 'Guest'];
const devices = ['Samsung CE 2019 Muse-L UHD TV Smart TV', 'FireTV 4K Stick 2018', 'Apple iPad Pro 12.9 in 5th Gen (Wi-Fi/Cell) iPad', 'Chrome PC (Cadmium)', 'iPhone 12'];
const countries = ['NL (Netherlands)', 'DE (Germany)', 'ES (Spain)', 'US (United States)'];
const p2 = (n) => String(n).padStart(2, '0');
const stamp = (ts) => {
  const d = new Date(ts);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
};
const hms = (s) => `${p2(Math.floor(s / 3600))}:${p2(Math.floor((s % 3600) / 60))}:${p2(s % 60)}`;

const w = createWriteStream(out);
w.write('Profile Name,Start Time,Duration,Attributes,Title,Supplemental Video Type,Device Type,Bookmark,Latest Bookmark,Country\n');
let ts = Date.UTC(2026, 10, 22);
let buf = '';
for (let i = 0; i < rows; i++) {
  ts -= 600_000 + (i % 7) * 61_000;
  const dur = 30 + ((i * 7919) % 7200);
  const preview = i % 11 === 0;
  const title = hugeMb > 0 && i === Math.floor(rows / 2)
    ? `"${'x'.repeat(hugeMb * 1024 * 1024)}"`
    : i % 5 === 0 ? `"Made Up Film ${i}, The"` : `Example Show ${i % 997}: Season ${1 + (i % 9)}: Episode ${1 + (i % 23)}`;
  buf += `${profiles[i % 4]},${stamp(ts)},${hms(dur)},${preview ? 'Autoplayed: user action: None; ' : ''},${title},${preview ? 'TRAILER' : ''},${devices[i % 5]},${hms(dur)},${i % 3 ? hms(dur) : 'Not latest view'},${countries[(i >> 3) % 4]}\n`;
  if (buf.length > 1 << 16) {
    if (!w.write(buf)) await new Promise((r) => w.once('drain', r));
    buf = '';
  }
}
w.end(buf);
