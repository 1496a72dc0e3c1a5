// Database errors that services turn into domain errors, recognised on both dialects by their
// driver codes (PostgreSQL SQLSTATE, better-sqlite3 extended result codes).

/** A unique or primary-key violation on either dialect (a concurrent insert won the race). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** A foreign-key violation on either dialect (e.g. a mailbox was added while deleting its provider). */
export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
