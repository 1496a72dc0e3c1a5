/** The profile page's tabs, named in the URL: `#/profile/api-tokens`. */
export const PROFILE_SECTIONS = ['info', 'email-accounts', 'api-tokens'] as const;
export type ProfileSection = (typeof PROFILE_SECTIONS)[number];

/** A section named in the URL, or the first one for anything unknown. */
export function profileSectionFrom(value: string | undefined | null): ProfileSection {
  return PROFILE_SECTIONS.find((section) => section === value) ?? 'info';
}
