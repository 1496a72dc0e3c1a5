// TLS client options used by every mail connection Mailyard opens: certificates are always
// verified (Node's CA store plus NODE_EXTRA_CA_CERTS). A provider may pin one leaf certificate
// by its SHA-256 fingerprint; then only that exact certificate is accepted, whatever name it
// carries. Node verifies the chain before it asks checkServerIdentity, so a private CA (or a
// self-signed certificate) must still be added to NODE_EXTRA_CA_CERTS; the pin then narrows the
// trust to that one certificate. There is no "accept any".
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { DiagnosisError } from './types.js';

const normalizeFingerprint = (value: string) => value.replace(/[:\s]/g, '').toLowerCase();

export function fingerprintOf(cert: PeerCertificate): string {
  return normalizeFingerprint(cert.fingerprint256 ?? '');
}

export function tlsClientOptions(host: string, pinnedFingerprint?: string | null): ConnectionOptions {
  const options: ConnectionOptions = { host, minVersion: 'TLSv1.2' };
  // SNI carries names only; Node warns when given an IP address.
  if (isIP(host) === 0) options.servername = host;
  if (pinnedFingerprint) {
    const pin = normalizeFingerprint(pinnedFingerprint);
    options.checkServerIdentity = (_hostname, cert) => {
      const actual = fingerprintOf(cert);
      if (actual === pin) return undefined;
      return new DiagnosisError(
        'CERT_PIN_MISMATCH',
        'The certificate does not match the pinned fingerprint',
        { actual, expected: pin },
      );
    };
  } else {
    options.checkServerIdentity = checkServerIdentity;
  }
  return options;
}
