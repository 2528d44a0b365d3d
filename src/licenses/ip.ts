// Which server addresses may hold a license: public IPv4 only.

/** [network, prefix length, what it is]; IANA special-purpose ranges a license server can never be on. */
const REFUSED: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'a "this network" address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT (shared) address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'a reserved (IETF protocol) address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a reserved (benchmarking) address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
];
// The documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are accepted: they are
// what examples and the sandbox use, and no real server can clash with them.

function toNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map((p) => (p.length > 1 && p.startsWith('0') ? NaN : Number(p)));
  if (parts.some((p) => !Number.isInteger(p) || p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** Why an address cannot hold a license, or undefined when it can. */
export function refuseIp(ip: string): string | undefined {
  const value = toNumber(ip);
  if (value === undefined) return `"${ip}" is not an IPv4 address`;
  for (const [network, prefix, what] of REFUSED) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    if (((value & mask) >>> 0) === toNumber(network)) return `${ip} is ${what}; a license needs the server's public IPv4 address`;
  }
  return undefined;
}
