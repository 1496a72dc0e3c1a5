export interface TestCaFiles {
  /** Folder holding everything below (`<repo>/.rig/ca`). */
  dir: string;
  /** The CA certificate: give it to clients as NODE_EXTRA_CA_CERTS or `tls.ca`. */
  caFile: string;
  /** Server certificate for localhost, 127.0.0.1 and ::1, signed by the CA. */
  certFile: string;
  /** Unencrypted private key of the server certificate (mode 0600). */
  keyFile: string;
}

export function ensureTestCa(repoRoot: string): Promise<TestCaFiles>;

/**
 * The file to put in NODE_EXTRA_CA_CERTS: the rig CA, or a bundle of it and the certificates the
 * variable already names (`current`), so neither is lost.
 */
export function nodeExtraCaCerts(files: TestCaFiles, current: string | undefined): Promise<string>;
