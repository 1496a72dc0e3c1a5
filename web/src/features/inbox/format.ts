import type { MailAddress } from './inbox.api.js';

/** "Ada Lovelace" or the address when there is no name. */
export const displayName = (a: MailAddress | undefined): string => (a ? a.name.trim() || a.address : '');

export const formatAddresses = (list: MailAddress[]): string =>
  list.map((a) => (a.name.trim() ? `${a.name} <${a.address}>` : a.address)).join(', ');

/** Time for today's mail, day and month this year, full date before. */
export function formatListDate(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (date.toDateString() === now.toDateString()) return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (date.getFullYear() === now.getFullYear()) return date.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
