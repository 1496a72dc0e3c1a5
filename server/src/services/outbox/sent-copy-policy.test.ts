import { describe, expect, it } from 'vitest';
import { providerStoresSentCopies } from './sent-copy-policy.js';

describe('providerStoresSentCopies', () => {
  it('knows the servers that file submitted mail into Sent themselves', () => {
    for (const host of ['smtp.gmail.com', 'SMTP.Office365.com', 'smtp-mail.outlook.com', 'smtp.google.com.']) {
      expect(providerStoresSentCopies(host)).toBe(true);
    }
  });

  it('appends the copy itself everywhere else', () => {
    for (const host of ['127.0.0.1', 'smtp.fastmail.com', 'mail.example.com', 'notgmail.com.example.org']) {
      expect(providerStoresSentCopies(host)).toBe(false);
    }
  });
});
