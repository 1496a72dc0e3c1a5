import { describe, expect, it } from 'vitest';
import { existingThreadId, normaliseSubject, type ThreadLookup } from './threading.js';

interface Stored {
  threadId: string;
  messageId: string | null;
  inReplyTo: string | null;
  subject: string;
}

function lookupOver(stored: Stored[]): ThreadLookup {
  return {
    threadByMessageIds: (_a, ids) =>
      Promise.resolve(stored.find((m) => m.messageId !== null && ids.includes(m.messageId))?.threadId),
    threadByReplyTo: (_a, id) => Promise.resolve(stored.find((m) => m.inReplyTo === id)?.threadId),
    threadBySubject: (_a, key) =>
      Promise.resolve(stored.find((m) => normaliseSubject(m.subject) === key)?.threadId),
  };
}

describe('thread ids', () => {
  const stored: Stored[] = [
    { threadId: 't-root', messageId: '<root@x>', inReplyTo: null, subject: 'Budget' },
    { threadId: 't-child', messageId: '<late-reply@x>', inReplyTo: '<parent@x>', subject: 'Re: Plans' },
    { threadId: 't-lunch', messageId: '<lunch@x>', inReplyTo: null, subject: 'Lunch?' },
  ];
  const lookup = lookupOver(stored);
  const headers = (h: Partial<Parameters<typeof existingThreadId>[2]>) => ({
    messageId: null,
    inReplyTo: null,
    references: [],
    subject: '',
    ...h,
  });

  it('normalises reply and list prefixes', () => {
    expect(normaliseSubject('Re: [team] Fwd:  Budget   plan')).toBe('budget plan');
    expect(normaliseSubject('AW: Re[2]: Hello')).toBe('hello');
  });

  it('joins the thread of a referenced message', async () => {
    expect(
      await existingThreadId(
        lookup,
        'a',
        headers({ messageId: '<new@x>', references: ['<root@x>'], subject: 'Re: Budget' }),
      ),
    ).toBe('t-root');
    expect(await existingThreadId(lookup, 'a', headers({ inReplyTo: '<root@x>' }))).toBe('t-root');
  });

  it('joins the thread of a reply stored before its parent', async () => {
    expect(await existingThreadId(lookup, 'a', headers({ messageId: '<parent@x>', subject: 'Plans' }))).toBe(
      't-child',
    );
  });

  it('falls back to the subject only for replies', async () => {
    expect(await existingThreadId(lookup, 'a', headers({ subject: 'RE: Lunch?' }))).toBe('t-lunch');
    // Not a reply: a thread of its own.
    expect(await existingThreadId(lookup, 'a', headers({ subject: 'Lunch?' }))).toBeUndefined();
  });
});
