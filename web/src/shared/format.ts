/** Up to two initials for an avatar: "Ada Lovelace" → "AL"; falls back to the email's first letter. */
export function initials(name: string, email = ''): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  const result = letters.map((word) => word?.[0] ?? '').join('');
  return (result || email.trim()[0] || '?').toUpperCase();
}

/** A date-time for tables; `null` means the thing never happened. */
export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  if (iso === null || iso === undefined || iso === '') return 'Never';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
