// A Mailyard worker process for the crash test: the outbox worker alone, on the database and data
// directory given in the environment, with MAILYARD_TEST_CRASH_POINT making it kill itself
// (SIGKILL, like kill -9) in the middle of sending.
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/lib/logger.js';
import { fastOutbox } from './outbox.js';

const config = { ...loadConfig(), outbox: fastOutbox };
const container = await createContainer(config, createLogger('warn'));
container.outboxWorker.start();
// Nothing else to do: the crash point ends the process; the test kills it if it never gets there.
setInterval(() => undefined, 60_000);
