// The classifier is pure: every range is tested here without a socket. The lookup is only
// exercised with loopback names and IP literals (dns.lookup answers literals itself).
import type { LookupAddress } from "node:dns";
import test from "ava";
import {
  BlockedAddressError,
  createGuardedLookup,
  isBlockedAddress,
  isBlockedLiteralHost,
} from "../../../src/ingest/fetch/address-guard.js";

const blockedV4 = [
  ["0.0.0.0", "this network"],
  ["0.255.255.255", "this network, top"],
  ["10.0.0.1", "10/8"],
  ["10.255.255.255", "10/8 top"],
  ["100.64.0.1", "CGNAT"],
  ["100.127.255.255", "CGNAT top"],
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback /8"],
  ["169.254.169.254", "link-local / cloud metadata"],
  ["172.16.0.1", "172.16/12"],
  ["172.31.255.255", "172.16/12 top"],
  ["192.0.0.8", "IETF protocol assignments"],
  ["192.0.2.1", "TEST-NET-1"],
  ["192.88.99.1", "6to4 relay"],
  ["192.168.1.1", "192.168/16"],
  ["198.18.0.1", "benchmarking"],
  ["198.19.255.255", "benchmarking top"],
  ["198.51.100.7", "TEST-NET-2"],
  ["203.0.113.9", "TEST-NET-3"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast (SSDP)"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "broadcast"],
] as const;

const allowedV4 = [
  "8.8.8.8",
  "1.1.1.1",
  "9.255.255.255",
  "11.0.0.0",
  "100.63.255.255",
  "100.128.0.0",
  "126.255.255.255",
  "128.0.0.0",
  "169.253.255.255",
  "169.255.0.0",
  "172.15.255.255",
  "172.32.0.0",
  "192.167.255.255",
  "192.169.0.0",
  "198.17.255.255",
  "198.20.0.0",
  "223.255.255.255",
];

const blockedV6 = [
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback, long form"],
  ["::ffff:127.0.0.1", "IPv4-mapped loopback"],
  ["::ffff:7f00:1", "IPv4-mapped loopback, hex"],
  ["::ffff:8.8.8.8", "IPv4-mapped, even public"],
  ["::127.0.0.1", "IPv4-compatible"],
  ["100::1", "discard-only"],
  ["fc00::1", "ULA"],
  ["fd12:3456:789a::1", "ULA fd"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local with zone"],
  ["febf:ffff::1", "link-local top"],
  ["fec0::1", "site-local"],
  ["ff02::1", "multicast"],
  ["2001:db8::1", "documentation"],
  ["3fff::1", "documentation (new)"],
  ["2001::1", "Teredo"],
  ["2001:2::1", "benchmarking"],
  ["5f00::1", "SRv6"],
  ["4000::1", "unallocated"],
  ["64:ff9b::7f00:1", "NAT64 of loopback"],
  ["64:ff9b::10.0.0.1", "NAT64 of 10/8"],
  ["64:ff9b:1::1", "local-use NAT64"],
  ["2002:7f00:1::1", "6to4 of loopback"],
  ["2002:c0a8:101::1", "6to4 of 192.168.1.1"],
] as const;

const allowedV6 = [
  "2606:4700:4700::1111",
  "2001:4860:4860::8888",
  "2a00:1450:4001:80b::200e",
  "2001:200::1",
  "64:ff9b::8.8.8.8",
  "2002:808:808::1",
];

for (const [ip, range] of blockedV4) {
  test(`blocks ${ip} (${range})`, (t) => t.true(isBlockedAddress(ip)));
}

for (const [ip, range] of blockedV6) {
  test(`blocks ${ip} (${range})`, (t) => t.true(isBlockedAddress(ip)));
}

test("allows public IPv4 addresses, including the neighbours of blocked ranges", (t) => {
  for (const ip of allowedV4) t.false(isBlockedAddress(ip), ip);
});

test("allows public IPv6 addresses, NAT64 and 6to4 of public IPv4", (t) => {
  for (const ip of allowedV6) t.false(isBlockedAddress(ip), ip);
});

test("anything that is not an IP address is blocked (fail closed)", (t) => {
  for (const value of ["", "localhost", "example.org", "1.2.3", "::g", "[::1]"]) {
    t.true(isBlockedAddress(value), JSON.stringify(value));
  }
});

test("literal hosts: bracketed IPv6 is judged, names are left to the lookup", (t) => {
  t.true(isBlockedLiteralHost("127.0.0.1"));
  t.true(isBlockedLiteralHost("[::1]"));
  t.true(isBlockedLiteralHost("[::ffff:7f00:1]"));
  t.false(isBlockedLiteralHost("8.8.8.8"));
  t.false(isBlockedLiteralHost("[2001:4860:4860::8888]"));
  t.false(isBlockedLiteralHost("localhost"), "names are checked after resolution");
  t.false(isBlockedLiteralHost("partner.example"));
});

test("WHATWG URL parsing normalises odd IPv4/IPv6 spellings to literals the guard catches", (t) => {
  const spellings: [string, string][] = [
    ["2130706433", "127.0.0.1"],
    ["0x7f.0.0.1", "127.0.0.1"],
    ["017700000001", "127.0.0.1"],
    ["0177.0.0.1", "127.0.0.1"],
    ["127.1", "127.0.0.1"],
    ["0x7f000001", "127.0.0.1"],
    ["0", "0.0.0.0"],
    ["[0:0:0:0:0:0:0:1]", "[::1]"],
    ["[::ffff:127.0.0.1]", "[::ffff:7f00:1]"],
    ["0xa9.0xfe.0xa9.0xfe", "169.254.169.254"],
  ];
  for (const [spelling, normalised] of spellings) {
    const { hostname } = new URL(`http://${spelling}/feed.xml`);
    t.is(hostname, normalised, spelling);
    t.true(isBlockedLiteralHost(hostname), spelling);
  }
});

// The lookup fetch installs when no resolver or classifier is injected: dns.lookup, the ranges.
const guardedLookup = createGuardedLookup();

function lookupAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    guardedLookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses as LookupAddress[]),
    ),
  );
}

function lookupOne(hostname: string): Promise<{ address: string; family: number | undefined }> {
  return new Promise((resolve, reject) =>
    guardedLookup(hostname, {}, (error, address, family) =>
      error ? reject(error) : resolve({ address: address as string, family }),
    ),
  );
}

test("createGuardedLookup's default lookup refuses a name that resolves to loopback, in both callback forms", async (t) => {
  const all = await t.throwsAsync(lookupAll("localhost"), { instanceOf: BlockedAddressError });
  t.is(all?.hostname, "localhost");
  t.true(isBlockedAddress(all?.address ?? ""));
  await t.throwsAsync(lookupOne("localhost"), { instanceOf: BlockedAddressError });
  await t.throwsAsync(lookupOne("127.0.0.1"), { instanceOf: BlockedAddressError });
});

test("createGuardedLookup's default lookup passes public addresses through (literals resolve without DNS)", async (t) => {
  t.deepEqual(await lookupAll("8.8.8.8"), [{ address: "8.8.8.8", family: 4 }]);
  t.deepEqual(await lookupOne("8.8.8.8"), { address: "8.8.8.8", family: 4 });
});
