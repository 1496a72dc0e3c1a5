// Which better-sqlite3 build this runtime loads.
//
// better-sqlite3 up to 12 wraps its objects in Node's `node::ObjectWrap`. From Node 24.19 that
// header registers an environment cleanup hook per object and removes it in the destructor, which
// asserts that a JavaScript context is entered; a Statement finalised by a background garbage
// collection has none, so the process aborts (`Assertion failed: (env) != nullptr` in
// `node::RemoveEnvironmentCleanupHook`). No explicit close avoids it: the wrapper object is only
// ever freed by the garbage collector. better-sqlite3 13 is built on Node-API and has no such
// wrapper, but needs Node-API 10 (Node 22.14 and later). Node 20 (Node-API 9) keeps version 12,
// whose Node 20 headers have no cleanup hook.
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);

export const SQLite = require(
  Number(process.versions.napi) >= 10 ? 'better-sqlite3' : 'better-sqlite3-node20',
) as typeof BetterSqlite3;
export type SqliteConnection = BetterSqlite3.Database;
export type SqliteStatement = BetterSqlite3.Statement;
