// Whether Mailyard must append a copy of a sent message to the Sent folder itself. Gmail and
// Microsoft's servers file every message submitted over SMTP into Sent on their own; appending
// there too would show the message twice. Decided by the SMTP host, since that is the server
// doing the filing (Google Workspace and Microsoft 365 on custom domains use the same hosts).
const selfFilingSmtpHosts = [
  /(^|\.)gmail\.com$/,
  /(^|\.)googlemail\.com$/,
  /(^|\.)google\.com$/,
  /(^|\.)office365\.com$/,
  /(^|\.)outlook\.com$/,
  /(^|\.)hotmail\.com$/,
  /(^|\.)live\.com$/,
];

export function providerStoresSentCopies(smtpHost: string): boolean {
  const host = smtpHost.toLowerCase().replace(/\.$/, '');
  return selfFilingSmtpHosts.some((pattern) => pattern.test(host));
}
