// MAC addresses are the device identity, so every source must spell one MAC the same way:
// lower-case, colon-separated, two hex digits per octet.

const HWADDR = /^[0-9a-f]{2}(?:([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){0,14})?$/;
const HEX12 = /^[0-9a-f]{12}$/;
const CISCO = /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/;
const SEPARATED = /^[0-9a-f]{1,2}([:-])[0-9a-f]{1,2}(\1[0-9a-f]{1,2}){4}$/;

/**
 * A 6-octet Ethernet MAC in canonical form, or undefined if `s` is not one. Accepts `aa:bb:..`,
 * `aa-bb-..`, Cisco `aabb.ccdd.eeff` and bare `aabbccddeeff`, any case; single-digit octets
 * (`0:1b:63:..`, as BSD `arp` prints them) are padded. Redacted addresses (`**`, `XX`) fail.
 */
export function normalizeMac(s: string): string | undefined {
  const t = s.trim().toLowerCase();
  if (SEPARATED.test(t)) return t.split(/[:-]/).map((o) => o.padStart(2, '0')).join(':');
  if (CISCO.test(t)) return octets(t.replaceAll('.', ''));
  if (HEX12.test(t)) return octets(t);
  return undefined;
}

function octets(hex: string): string {
  return hex.match(/../g)!.join(':');
}

/**
 * Any link-layer address a DHCP server may record (RFC 2131 chaddr: up to 16 octets), as
 * colon-separated lower-case octets; undefined if malformed. dnsmasq writes 12-octet addresses
 * verbatim (pi-hole/FTL#2723), so 6 octets are not assumed here.
 */
export function normalizeHwAddr(s: string): string | undefined {
  const t = s.trim().toLowerCase();
  return HWADDR.test(t) ? t.replaceAll('-', ':') : undefined;
}

function firstOctet(mac: string): number {
  return parseInt(mac.slice(0, 2), 16);
}

/**
 * True for a locally administered address (bit 0x02 of the first octet). Phones and laptops use
 * these as randomized "private Wi-Fi addresses", so they carry no vendor and may change per network.
 * Expects a canonical MAC (see normalizeMac).
 */
export function isLocallyAdministered(mac: string): boolean {
  return (firstOctet(mac) & 0x02) !== 0;
}

/** True for a group (multicast/broadcast) address: bit 0x01 of the first octet. Never a device. */
export function isMulticast(mac: string): boolean {
  return (firstOctet(mac) & 0x01) !== 0;
}

/** The MAC as 12 upper-case hex digits (the IEEE registry's key form). Expects a canonical MAC. */
export function macHex(mac: string): string {
  return mac.replaceAll(':', '').toUpperCase();
}
