// One migration set for both dialects. Add new migrations here, in order; never edit an
// applied one.
import type { Migration } from 'kysely';
import * as m001 from './001_users.js';
import * as m002 from './002_mail.js';
import * as m004 from './004_account_archive.js';
import * as m005 from './005_sync.js';
import * as m006 from './006_search.js';
import * as m008 from './008_oauth.js';
import * as m009 from './009_scale.js';
import * as m010 from './010_provider_trust.js';
import * as m011 from './011_deferred_content.js';
import * as m012 from './012_deferred_source.js';
import * as m013 from './013_verification.js';

export const migrations: Record<string, Migration> = {
  '001_users': m001,
  '002_mail': m002,
  '004_account_archive': m004,
  '005_sync': m005,
  '006_search': m006,
  '008_oauth': m008,
  '009_scale': m009,
  '010_provider_trust': m010,
  '011_deferred_content': m011,
  '012_deferred_source': m012,
  '013_verification': m013,
};
