import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { refuseIp } from './ip.js';

describe('which addresses may hold a license', () => {
  test.each(['8.8.8.8', '203.0.113.10', '198.51.100.7', '1.2.3.4', '185.12.0.1'])('%s is accepted', (ip) => {
    expect(refuseIp(ip)).toBeUndefined();
  });

  test.each([
    ['10.1.2.3', 'private'], ['172.20.0.1', 'private'], ['192.168.1.1', 'private'], ['127.0.0.1', 'loopback'],
    ['169.254.1.1', 'link-local'], ['100.64.0.1', 'carrier-grade'], ['0.1.2.3', 'this network'], ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'], ['240.0.0.1', 'reserved'],
  ])('%s is refused as %s', (ip, why) => {
    expect(refuseIp(ip)).toContain(why);
  });

  test.each(['1.2.3', '1.2.3.256', '01.2.3.4', 'a.b.c.d', '::1', '1.2.3.4 ', ''])('"%s" is not an IPv4 address', (ip) => {
    expect(refuseIp(ip)).toMatch(/not an IPv4 address/);
  });

  test('every string either is refused with a reason or is a dotted quad', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.ipV4()), (s) => {
      const reason = refuseIp(s);
      if (reason === undefined) expect(s).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    }));
  });
});
