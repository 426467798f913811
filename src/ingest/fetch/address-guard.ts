// Keeps partner URLs (which come from config, redirects and, one day, users) from reaching
// the service's own network: loopback, private ranges, cloud metadata (169.254.169.254)…
// The check must happen on the address actually connected to, after DNS resolution,
// otherwise a name that resolves to 127.0.0.1 (or is rebound to it) walks right past it.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from "node:dns";
import { isIP, type LookupFunction } from "node:net";

/** A [network, prefix length] pair, parsed once into bigints below. */
type Cidr = readonly [string, number];

/** Special-purpose IPv4 ranges that a public feed never lives on (IANA registry, RFC 6890). */
const BLOCKED_V4: readonly Cidr[] = [
  ["0.0.0.0", 8], // "this network"; connecting to 0.0.0.0 reaches the local host on Linux
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, including cloud metadata endpoints
  ["172.16.0.0", 12],
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.0.2.0", 24], // TEST-NET-1
  ["192.88.99.0", 24], // deprecated 6to4 relay anycast
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // TEST-NET-2
  ["203.0.113.0", 24], // TEST-NET-3
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, including broadcast 255.255.255.255
];

/**
 * IPv6: only global unicast (2000::/3) is routable on the Internet; everything outside it —
 * :: and ::1, IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96, discard 100::/64, SRv6
 * 5f00::/16, ULA fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8
 * and the unallocated rest — is refused, except NAT64 (below). Inside 2000::/3, these:
 */
const GLOBAL_UNICAST_V6: Cidr = ["2000::", 3];
const BLOCKED_GLOBAL_V6: readonly Cidr[] = [
  ["2001::", 23], // IETF protocol assignments (Teredo, benchmarking, ORCHID…)
  ["2001:db8::", 32], // documentation
  ["3fff::", 20], // documentation (RFC 9637)
];

/**
 * IPv6 ranges that carry an IPv4 address, judged by the address they carry: DNS64 on an
 * IPv6-only network hands out 64:ff9b::8.8.8.8 for a public host.
 */
const EMBEDDING_V6: readonly { cidr: Cidr; shift: bigint }[] = [
  { cidr: ["64:ff9b::", 96], shift: 0n }, // well-known NAT64 prefix: low 32 bits
  { cidr: ["2002::", 16], shift: 80n }, // 6to4: bits 16–47
];

function ipv4ToBigInt(ip: string): bigint {
  return ip.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** Expands `::`, and a dotted IPv4 tail (`::ffff:1.2.3.4`), into a 128-bit integer. */
function ipv6ToBigInt(ip: string): bigint {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1] !== undefined) {
    const v4 = ipv4ToBigInt(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(missing, 0)).fill("0"), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

interface Range {
  network: bigint;
  prefix: number;
}

function toRanges(cidrs: readonly Cidr[], parse: (ip: string) => bigint): readonly Range[] {
  return cidrs.map(([ip, prefix]) => ({ network: parse(ip), prefix }));
}

const V4_RANGES = toRanges(BLOCKED_V4, ipv4ToBigInt);
const V6_GLOBAL = toRanges([GLOBAL_UNICAST_V6], ipv6ToBigInt);
const V6_BLOCKED_GLOBAL = toRanges(BLOCKED_GLOBAL_V6, ipv6ToBigInt);
const V6_EMBEDDING = EMBEDDING_V6.map(({ cidr, shift }) => ({
  range: { network: ipv6ToBigInt(cidr[0]), prefix: cidr[1] },
  shift,
}));

function inRange(address: bigint, bits: number, range: Range): boolean {
  const hostBits = BigInt(bits - range.prefix);
  return address >> hostBits === range.network >> hostBits;
}

function isBlockedV4(ip: string): boolean {
  const address = ipv4ToBigInt(ip);
  return V4_RANGES.some((range) => inRange(address, 32, range));
}

function isBlockedV6(ip: string): boolean {
  const address = ipv6ToBigInt(ip);
  const embedding = V6_EMBEDDING.find(({ range }) => inRange(address, 128, range));
  if (embedding !== undefined) {
    const v4 = (address >> embedding.shift) & 0xffffffffn;
    return V4_RANGES.some((range) => inRange(v4, 32, range));
  }
  if (!V6_GLOBAL.some((range) => inRange(address, 128, range))) return true;
  return V6_BLOCKED_GLOBAL.some((range) => inRange(address, 128, range));
}

/**
 * True when `ip` must not be connected to: loopback, private, link-local, CGNAT, ULA,
 * IPv4-mapped, unspecified, multicast, documentation and other reserved ranges.
 * Anything that is not a plain IP address (a name, garbage) counts as blocked: fail closed.
 * An IPv6 zone id (`fe80::1%eth0`) is ignored.
 */
export function isBlockedAddress(ip: string): boolean {
  const address = ip.includes(":") ? ip.replace(/%.*$/, "") : ip;
  switch (isIP(address)) {
    case 4:
      return isBlockedV4(address);
    case 6:
      return isBlockedV6(address);
    default:
      return true;
  }
}

/**
 * For a URL hostname that is an IP literal (`127.0.0.1`, `[::1]`), whether it is blocked.
 * Node does not call `lookup` for literals, so the fetch layer checks them itself. Names
 * return false here: their addresses are judged by `createGuardedLookup` at connect time.
 * WHATWG URL parsing has already normalised odd spellings (`2130706433`, `0x7f.0.0.1`).
 */
export function isBlockedLiteralHost(
  hostname: string,
  isBlocked: AddressClassifier = isBlockedAddress,
): boolean {
  const bare =
    hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return isIP(bare) !== 0 && isBlocked(bare);
}

/** Decides whether one resolved address may be connected to (true = refuse). */
export type AddressClassifier = (address: string) => boolean;

export class BlockedAddressError extends Error {
  override readonly name = "BlockedAddressError";
  readonly code = "ERR_BLOCKED_ADDRESS";
  readonly hostname: string;
  readonly address: string;

  constructor(hostname: string, address: string) {
    super(`Refusing to connect to ${hostname} (${address}): private or reserved address`);
    this.hostname = hostname;
    this.address = address;
  }
}

type LookupCallback = Parameters<LookupFunction>[2];

export interface GuardOptions {
  /** The resolver whose answers are judged and used (default `dns.lookup`). */
  lookup?: LookupFunction | undefined;
  isBlocked?: AddressClassifier | undefined;
}

/**
 * A drop-in for `dns.lookup` (undici `connect: { lookup }`, `net.connect`): resolves every
 * address and refuses the name when ANY of them is blocked, so a name with one public and
 * one private record cannot be used to reach the private one by happy-eyeballs fallback.
 * Honours `all` (Node's autoSelectFamily asks for the full list) and `family`. The addresses
 * handed to the socket are the very ones judged here: there is no second lookup to rebind.
 */
export function createGuardedLookup(guard: GuardOptions = {}): LookupFunction {
  const resolve = guard.lookup ?? (dnsLookup as LookupFunction);
  const isBlocked = guard.isBlocked ?? isBlockedAddress;
  return (hostname: string, options: LookupOptions, callback: LookupCallback) => {
    resolve(hostname, { ...options, all: true }, (error, answer) => {
      if (error) return callback(error, []);
      // A resolver may ignore `all` and answer one address; judge whatever it gave.
      const addresses: LookupAddress[] =
        typeof answer === "string" ? [{ address: answer, family: isIP(answer) }] : answer;
      guardedAnswer(hostname, options, addresses, isBlocked, callback);
    });
  };
}

function guardedAnswer(
  hostname: string,
  options: LookupOptions,
  addresses: LookupAddress[],
  isBlocked: AddressClassifier,
  callback: LookupCallback,
): void {
  const blocked = addresses.find((entry) => isBlocked(entry.address));
  const first = addresses[0];
  if (blocked !== undefined) callback(new BlockedAddressError(hostname, blocked.address), []);
  else if (options.all) callback(null, addresses);
  else if (first === undefined) {
    callback(Object.assign(new Error(`No address for ${hostname}`), { code: "ENOTFOUND" }), []);
  } else callback(null, first.address, first.family);
}
