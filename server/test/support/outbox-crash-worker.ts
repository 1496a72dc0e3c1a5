// A Mailyard worker process for the crash test: the outbox worker alone, on the database and data
// directory given in the environment. MAILYARD_TEST_CRASH_POINT names the step of a send after
// which it kills itself (SIGKILL, like kill -9): the hook is this script's, Mailyard has none.
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/lib/logger.js';
import { outboxCheckpoints } from '../../src/services/outbox/outbox-worker.js';
import { fastOutbox } from './outbox.js';

const crashPoint = outboxCheckpoints.find((point) => point === process.env.MAILYARD_TEST_CRASH_POINT);
if (!crashPoint) throw new Error(`MAILYARD_TEST_CRASH_POINT must be one of ${outboxCheckpoints.join(', ')}`);

const config = { ...loadConfig(), outbox: fastOutbox };
const container = await createContainer(config, createLogger('warn'), undefined, {
  // Die like kill -9 would, with no chance to record anything.
  outboxCheckpoint: (point) => {
    if (point === crashPoint) process.kill(process.pid, 'SIGKILL');
  },
});
container.outboxWorker.start();
// Nothing else to do: the crash point ends the process; the test kills it if it never gets there.
setInterval(() => undefined, 60_000);
