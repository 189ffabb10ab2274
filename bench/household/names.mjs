// What an upstream resolver answers for each name the household asks, as dnsmasq logs it: the
// CNAME chain (one `reply X is <CNAME>` line per link) and the addresses at its end, with a TTL
// for dnsmasq's cache. Netflix chains follow the shapes seen in public captures and logs
// (src/core/services/netflix.md): `X.geo` -> `X.<region>.prodaa` for NCCP/appboot/api/ichnaea (S7),
// `X.dradis` -> `X.<region>.internal.dradis` -> `apiproxy-...elb.amazonaws.com` for logs, events
// and the website (S11), Akamai for artwork (S7), one address and no CNAME for Open Connect (S22).
// Answers are a pure function of the name, so a cached reply repeats the forwarded one.

const REGION = 'eu-west-1';

function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const hex = (n, len) => n.toString(16).padStart(len, '0').slice(0, len);

/** `count` IPv4 addresses under one of `bases` ("52.208"), chosen by the name. */
function v4s(name, bases, count) {
  const h = hash(name);
  const base = bases[h % bases.length];
  return Array.from({ length: count }, (_, i) => `${base}.${(h >>> 8 + i) % 254 + 1}.${(h >>> (3 * i)) % 253 + 1}`);
}

function v6s(name, prefix, count) {
  const h = hash(`${name}/6`);
  return Array.from({ length: count }, (_, i) => `${prefix}:${hex((h >>> i) & 0xffff, 4)}:${hex((h >>> (i + 7)) & 0xffff, 4)}::${hex(i + 1, 1)}`);
}

const AWS4 = ['52.208', '52.209', '52.210', '52.211', '54.72', '54.73', '54.74', '34.240', '34.241', '34.242', '3.248', '3.251'];
const AWS6 = '2a05:d018';

/** The answer for (name, qtype): {chain, addrs, nodata, ttl}; chain[0] is the asked name. */
export function answerFor(name, qtype) {
  const spec = netflixAnswer(name) ?? noiseAnswer(name);
  const v6 = qtype === 'AAAA';
  const addrs = v6 ? spec.v6 : spec.v4;
  return { chain: spec.chain, addrs: addrs ?? [], nodata: !addrs || addrs.length === 0, ttl: spec.ttl };
}

/** Netflix names (the shapes above); undefined for anything else. */
function netflixAnswer(name) {
  if (name.endsWith('.oca.nflxvideo.net')) {
    // Open Connect: one A (and, for ipv6-* hosts, one AAAA), no CNAME (S5, S22). TTL: estimate.
    const h = hash(name);
    const v4 = h % 2 === 0 ? `45.57.${(h >>> 3) % 120 + 2}.${(h >>> 11) % 250 + 2}` : `198.38.${(h >>> 3) % 30 + 96}.${(h >>> 11) % 250 + 2}`;
    const v6 = name.startsWith('ipv6-') ? [`2a00:86c0:${(h >>> 5) % 200 + 2}:${(h >>> 5) % 200 + 2}::${(h >>> 13) % 250 + 2}`] : [];
    return { chain: [name], v4: [v4], v6, ttl: 300 };
  }
  if (name.endsWith('.nflxso.net')) {
    // Artwork from ISP-hosted caches: occ-0-a-b.1.nflxso.net -> occ-0-a-b.nflxso.net (S19).
    const target = name.replace('.1.nflxso.net', '.nflxso.net');
    return { chain: target === name ? [name] : [name, target], v4: v4s(name, ['84.116', '212.83'], 1), v6: [], ttl: 60 };
  }
  if (name.endsWith('.nflximg.net') || name.endsWith('.nflximg.com') || name.endsWith('.nflxext.com')) {
    const h = hash(name);
    const edge = h % 2 === 0 ? `e${h % 9000 + 1000}.dscg.akamaiedge.net` : `a${h % 2000 + 100}.dscg.akamai.net`;
    return { chain: [name, edge], v4: v4s(name, ['184.25', '104.86', '2.16'], 2), v6: [], ttl: 20 };
  }
  if (!name.endsWith('.netflix.com') && !name.endsWith('.netflix.net')) return undefined;
  const label = name.replace(/\.netflix\.(com|net)$/, '');
  if (/^(www|logs|customerevents|push\.prod|presentationtracking|ichnaea-web)$/.test(label)) {
    const svc = label.replace('.prod', '').replace('customerevents', 'cust-events').replace('www', 'website');
    const elb = `apiproxy-${svc}-nlb-${hex(hash(name), 16)}.elb.${REGION}.amazonaws.com`;
    return {
      chain: [name, `${label}.dradis.netflix.com`, `${label}.${REGION}.internal.dradis.netflix.com`, elb],
      v4: v4s(name, AWS4, 3), v6: v6s(name, AWS6, 3), ttl: 60,
    };
  }
  if (/(^|\.)(nccp|appboot|api-global|ichnaea|android\.prod\.cloud|ios\.prod\.cloud)$|appboot$/.test(label)) {
    return {
      chain: [name, `${label}.geo.netflix.com`, `${label}.${REGION}.prodaa.netflix.com`],
      v4: v4s(name, AWS4, 8), v6: v6s(name, AWS6, 8), ttl: 50,
    };
  }
  return { chain: [name], v4: v4s(name, AWS4, 2), v6: [], ttl: 60 };
}

// Household noise: what phones, laptops, TVs, speakers and printers ask all day. CNAME chains
// where the real services use them (Google, Apple, Spotify, Facebook, Microsoft, Amazon).
const NOISE = {
  'www.google.com': [[], ['142.250.179.196'], ['2a00:1450:400e:811::2004']],
  'connectivitycheck.gstatic.com': [[], ['142.250.179.163'], ['2a00:1450:400e:80f::2003']],
  'clients3.google.com': [[], ['142.250.179.206'], []],
  'www.youtube.com': [['youtube-ui.l.google.com'], ['142.250.179.174', '142.250.179.206'], ['2a00:1450:400e:802::200e']],
  'i.ytimg.com': [[], ['142.250.179.182'], []],
  'time.apple.com': [['time.g.aaplimg.com'], ['17.253.52.253', '17.253.52.125'], ['2a01:b740:a20:3000::1f2']],
  'gateway.icloud.com': [['gateway.fe2.apple-dns.net'], ['17.248.209.70', '17.248.209.71'], []],
  'api.spotify.com': [['edge-web.dual-gslb.spotify.com'], ['35.186.224.25'], ['2600:1901:1:c36::']],
  'graph.facebook.com': [['star.c10r.facebook.com'], ['157.240.201.15'], ['2a03:2880:f12f:83:face:b00c:0:25de']],
  'www.whatsapp.net': [['whatsapp-cdn-shv-02-ams4.fbcdn.net'], ['157.240.201.60'], []],
  'github.com': [[], ['140.82.121.4'], []],
  'weather.com': [[], ['23.45.120.10'], []],
  'www.bbc.co.uk': [['www.bbc.co.uk.pri.bbc.co.uk', 'uk.www.bbc.co.uk.pri.bbc.co.uk'], ['151.101.0.81', '151.101.64.81'], []],
  'nos.nl': [[], ['23.36.77.187'], []],
  'device-metrics-us.amazon.com': [[], ['52.46.133.10'], []],
  'login.microsoftonline.com': [['login.mso.msidentity.com', 'ak.privatelink.msidentity.com', 'www.tm.ak.prd.aadg.akadns.net'], ['20.190.159.68', '40.126.31.69'], []],
  'outlook.office365.com': [['outlook.ms-acdc.office.com'], ['52.97.179.50'], []],
  'teams.microsoft.com': [['teams.office.com'], ['52.113.194.132'], []],
  'dns.msftncsi.com': [[], ['131.107.255.255'], ['fd3e:4f5a:5b81::1']],
  'ota.googlezip.net': [[], ['142.251.36.10'], []],
  'mtalk.google.com': [['mobile-gtalk.l.google.com'], ['142.250.102.188'], ['2a00:1450:4013:c04::bc']],
  'sonos.com': [[], ['54.192.150.12'], []],
  'api.sonos.com': [['api.sonos.com.cdn.cloudflare.net'], ['104.18.8.22'], []],
  'hpeprint.com': [[], ['15.72.37.190'], []],
  'pool.ntp.org': [[], ['194.109.22.18', '5.200.6.34'], []],
  'samsungcloudsolution.com': [[], [], []],
  'osb.samsungqbe.com': [[], ['52.49.117.112'], []],
  'cdn.jsdelivr.net': [['jsdelivr.map.fastly.net'], ['151.101.2.109'], []],
  'en.wikipedia.org': [['dyna.wikimedia.org'], ['185.15.59.224'], ['2a02:ec80:300:ed1a::1']],
  'push.apple.com': [['courier.push.apple.com'], ['17.57.146.20'], []],
};

export const NOISE_NAMES = Object.keys(NOISE);
export const BLOCKED_NAMES = ['pubads.g.doubleclick.net', 'app-measurement.com', 'samsungads.com', 'ads.samsungads.com', 'log-ingestion.samsungacr.com', 'googleads.g.doubleclick.net', 'browser.pipe.aria.microsoft.com'];

function noiseAnswer(name) {
  const n = NOISE[name];
  if (!n) return { chain: [name], v4: v4s(name, ['93.184', '185.199'], 1), v6: [], ttl: 300 };
  const [cnames, v4, v6] = n;
  return { chain: [name, ...cnames], v4, v6, ttl: 300 };
}
