// The private-network rule (docs/product.md "Detection"): what a user triggers never reaches
// loopback, link-local, private (RFC 1918, ULA, CGNAT), unspecified or otherwise special
// addresses, unless the admin allows private networks. Checked on the RESOLVED addresses, right
// before connecting, so a name that later resolves elsewhere (DNS rebinding) gains nothing.
import ipaddr from 'ipaddr.js';
import { DiagnosisError, type ResolveHost } from '../../mail/diagnosis/types.js';

/** True for every address that is not ordinary public unicast. */
export function isNonPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  // process() unwraps IPv4-mapped IPv6 (::ffff:127.0.0.1) so it is judged as the IPv4 it is.
  return ipaddr.process(address).range() !== 'unicast';
}

/** Keeps only public addresses; refuses the host when none is left. */
export function guardResolve(resolve: ResolveHost, allowPrivateNetworks: boolean): ResolveHost {
  if (allowPrivateNetworks) return resolve;
  return async (host) => {
    const addresses = await resolve(host);
    const allowed = addresses.filter((a) => !isNonPublicAddress(a));
    if (allowed.length === 0) {
      throw new DiagnosisError(
        'PRIVATE_NETWORK',
        `${host} resolves only to private or local addresses (${addresses.join(', ')})`,
        { addresses },
      );
    }
    return allowed;
  };
}
