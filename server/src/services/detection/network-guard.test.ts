import { describe, expect, it } from 'vitest';
import { DiagnosisError } from '../../mail/diagnosis/types.js';
import { guardResolve, isNonPublicAddress } from './network-guard.js';

describe('private-network rule', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
  ])('allows %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });

  it('drops private addresses of a name and refuses a name with only private ones', async () => {
    const guarded = guardResolve(
      (host) => Promise.resolve(host === 'mixed.example' ? ['10.0.0.5', '8.8.4.4'] : ['127.0.0.1']),
      false,
    );
    await expect(guarded('mixed.example')).resolves.toEqual(['8.8.4.4']);
    await expect(guarded('loopback.example')).rejects.toSatisfy(
      (e) => e instanceof DiagnosisError && e.code === 'PRIVATE_NETWORK',
    );
  });

  it('lets everything through when the admin allows private networks', async () => {
    const guarded = guardResolve(() => Promise.resolve(['127.0.0.1']), true);
    await expect(guarded('localhost')).resolves.toEqual(['127.0.0.1']);
  });
});
