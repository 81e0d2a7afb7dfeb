import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * The SSRF guard of webhook targets (docs/events.md): a delivery never connects to a private,
 * loopback, link-local, unique-local, carrier-grade NAT or unspecified address unless the
 * configuration allows it (SEGMENTA_WEBHOOK_ALLOW: addresses or CIDR ranges, comma-separated;
 * the tests allow 127.0.0.1). The check runs on the address actually connected to (the
 * connection's DNS lookup), so a name that resolves to an internal address later is refused too.
 */

const refused = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  refused.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['::ffff:0:0', 96],
] as const)
  refused.addSubnet(net, prefix, 'ipv6');

export class TargetGuard {
  private readonly allowed = new BlockList();

  /** `allow`: addresses or CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `::1`) let through. */
  constructor(allow: readonly string[] = []) {
    for (const entry of allow) {
      const [address, prefix] = entry.trim().split('/');
      if (!address) continue;
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (isIP(address) === 0) throw new Error(`not an address or range: ${entry}`);
      if (prefix === undefined) this.allowed.addAddress(address, family);
      else this.allowed.addSubnet(address, Number(prefix), family);
    }
  }

  static fromEnv(value: string | undefined): TargetGuard {
    return new TargetGuard((value ?? '').split(',').filter((s) => s.trim() !== ''));
  }

  /** Whether a connection to this address is allowed. */
  permits(address: string): boolean {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (this.allowed.check(address, family)) return true;
    return !refused.check(address, family);
  }

  /** A DNS lookup for http.request that fails for refused addresses. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const bad = addresses.find((a) => !this.permits(a.address));
      if (bad) return callback(new TargetRefusedError(hostname, bad.address), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

export class TargetRefusedError extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`the target ${host} is ${address}, a private, loopback or link-local address, which the configuration does not allow (SEGMENTA_WEBHOOK_ALLOW)`);
    this.name = 'TargetRefusedError';
  }
}
