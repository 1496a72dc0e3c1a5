// Parses messages in worker threads, so a first sync's MIME parsing (the largest CPU cost of a
// sync) runs beside the IMAP fetch and the database writes instead of on the same event loop.
// Plain node:worker_threads rather than a pool library: the pool needs things a generic one does
// not give — a byte budget on what is handed over, and a message whose parse crashes or hangs a
// worker must still be stored raw (the engine's rule: a bad message never stalls a folder).
//
// Memory: the byte budget bounds the sources copied to workers and not yet answered; a worker's
// heap is capped (resourceLimits), so a hostile message can only take its own worker down.
// Workers start on first use and exit when idle.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BlobStore } from '../../lib/blob-store.js';
import { emptyParsedMessage, storeAndParse, type StoredMessageSource } from './parse.js';

export interface ParseWorkerData {
  blobRoot: string;
}
export interface ParseRequest {
  id: number;
  source: Uint8Array;
}
export type ParseReply = { id: number; result: StoredMessageSource } | { id: number; error: string };

/** What a worker (or this thread, without workers) does with one request. */
export function handleParseRequest(source: Buffer, blobs: BlobStore): Promise<StoredMessageSource> {
  return storeAndParse(source, blobs);
}
type WorkerMessage = ParseReply | { ready: true };

export interface ParsePoolOptions {
  /** worker threads; 0 parses on the calling thread */
  workers: number;
  /** messages one worker works on at once (its blob writes overlap its parsing) */
  perWorker: number;
  /** source bytes handed to workers and not answered yet, over the whole pool */
  maxBytes: number;
  /** a message whose parse takes longer is stored raw and its worker replaced */
  timeoutMs: number;
  /** an idle worker exits after this long; it is started again on demand */
  idleMs: number;
  /** heap cap of one worker */
  maxHeapMb: number;
  /** a worker not ready by then is given up on: parsing stays on the calling thread */
  startTimeoutMs: number;
}

// Off by default (config.ts syncParseWorkers, MAILYARD_SYNC_PARSE_WORKERS): measured on the
// 2-core reference machine (shared, loaded), one worker made a 5,000-message first sync slower
// (22-23 s vs 17 s pipelined on the main thread) and pushed peak RSS past the 200 MB budget (a
// worker with mailparser loaded costs ~50 MB). Where cores are spare, turn it on.

export const defaultParsePoolOptions = (): ParsePoolOptions => ({
  workers: Math.max(1, Math.min(3, os.availableParallelism() - 1)),
  perWorker: 4,
  maxBytes: 8 * 1024 * 1024,
  timeoutMs: 120_000,
  idleMs: 30_000,
  maxHeapMb: 256,
  startTimeoutMs: 30_000,
});

interface Task {
  id: number;
  source: Buffer;
  attempts: number;
  timedOut: boolean;
  timer: NodeJS.Timeout | undefined;
  resolve: (result: StoredMessageSource) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  tasks: Map<number, Task>;
  idleTimer: NodeJS.Timeout | undefined;
}

/**
 * How a worker is started: the compiled build runs parse-worker.js directly; from the
 * TypeScript sources (tsx, vitest) the worker registers tsx first, then imports the .ts entry.
 */
function startWorker(data: ParseWorkerData, maxHeapMb: number): Worker {
  // Only the old generation is capped: a smaller young generation halved the parse throughput
  // (attachments are decoded in large short-lived buffers).
  const resourceLimits = { maxOldGenerationSizeMb: maxHeapMb };
  const here = import.meta.url;
  if (!here.endsWith('.ts'))
    return new Worker(new URL('./parse-worker.js', here), { workerData: data, resourceLimits });
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    import(workerData.tsx)
      .then(({ register }) => { register(); return import(workerData.entry); })
      .catch((error) => { setImmediate(() => { throw error; }); });`;
  return new Worker(bootstrap, {
    eval: true,
    resourceLimits,
    workerData: { ...data, tsx: tsxEsmApi(here), entry: new URL('./parse-worker.ts', here).href },
  });
}

/** tsx's ESM register API (its CommonJS build cannot be required from a worker). */
function tsxEsmApi(from: string): string {
  const packageFile = createRequire(from).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(packageFile, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const entry = manifest.exports['./esm/api']?.import.default ?? './dist/esm/api/index.mjs';
  return pathToFileURL(path.join(path.dirname(packageFile), entry)).href;
}

export class ParsePool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private bytesOut = 0;
  /** set when workers cannot start at all: parse on this thread from then on */
  private broken = false;
  private closed = false;

  constructor(
    private readonly blobs: BlobStore,
    private readonly options: ParsePoolOptions = defaultParsePoolOptions(),
    private readonly onWarning: (message: string, error?: unknown) => void = () => undefined,
  ) {}

  /** storeAndParse (parse.ts) for a message held in memory, on a worker thread. */
  run(source: Buffer): Promise<StoredMessageSource> {
    if (this.options.workers <= 0 || this.broken || this.closed) return handleParseRequest(source, this.blobs);
    return new Promise<StoredMessageSource>((resolve, reject) => {
      this.queue.push({
        id: this.nextId++,
        source,
        attempts: 0,
        timedOut: false,
        timer: undefined,
        resolve,
        reject,
      });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = [...this.slots];
    this.slots.clear();
    await Promise.all(slots.map((slot) => this.retire(slot)));
    // Whatever was waiting is parsed here (run() no longer dispatches).
    for (const task of this.queue.splice(0)) this.runHere(task);
  }

  private pump(): void {
    if (this.broken || this.closed) {
      for (const task of this.queue.splice(0)) this.runHere(task);
      return;
    }
    while (this.slots.size < this.options.workers && this.queue.length > this.capacity()) this.spawn();
    while (this.queue.length > 0) {
      const task = this.queue[0];
      if (!task) break;
      // One message larger than the budget still goes, alone.
      if (this.bytesOut > 0 && this.bytesOut + task.source.length > this.options.maxBytes) break;
      const slot = this.leastBusy();
      if (!slot && this.anyReady()) break;
      this.queue.shift();
      // Until a worker is up (start-up takes a while), messages are parsed here: a new message
      // must not wait for it.
      if (slot) this.dispatch(slot, task);
      else this.runHere(task);
    }
  }

  private anyReady(): boolean {
    for (const slot of this.slots) if (slot.ready) return true;
    return false;
  }

  /** tasks the started workers can take now */
  private capacity(): number {
    let free = 0;
    for (const slot of this.slots) free += this.options.perWorker - slot.tasks.size;
    return free;
  }

  private leastBusy(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot.ready || slot.tasks.size >= this.options.perWorker) continue;
      if (!best || slot.tasks.size < best.tasks.size) best = slot;
    }
    return best;
  }

  private dispatch(slot: Slot, task: Task): void {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
    if (slot.tasks.size === 0) slot.worker.ref();
    slot.tasks.set(task.id, task);
    this.bytesOut += task.source.length;
    task.attempts += 1;
    task.timer = setTimeout(() => {
      task.timedOut = true;
      this.onWarning('a message took too long to parse; its worker is replaced');
      void slot.worker.terminate();
    }, this.options.timeoutMs);
    // A copy is transferred: the original stays here, to store raw should the worker fail.
    const copy = new Uint8Array(task.source.length);
    copy.set(task.source);
    slot.worker.postMessage({ id: task.id, source: copy } satisfies ParseRequest, [copy.buffer]);
  }

  private finish(slot: Slot, task: Task): void {
    clearTimeout(task.timer);
    slot.tasks.delete(task.id);
    this.bytesOut -= task.source.length;
    this.whenIdle(slot);
  }

  /** An idle worker does not keep the process alive, and exits after a while. */
  private whenIdle(slot: Slot): void {
    if (slot.tasks.size > 0 || !this.slots.has(slot) || slot.idleTimer) return;
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = undefined;
      if (slot.tasks.size > 0) return;
      this.slots.delete(slot);
      void this.retire(slot);
    }, this.options.idleMs);
    slot.idleTimer.unref();
  }

  private spawn(): void {
    let worker: Worker;
    try {
      worker = startWorker({ blobRoot: this.blobs.root }, this.options.maxHeapMb);
    } catch (error) {
      this.giveUp(error);
      return;
    }
    const slot: Slot = { worker, ready: false, tasks: new Map(), idleTimer: undefined };
    this.slots.add(slot);
    // A worker that does not come up in time is treated as one that cannot start.
    const startTimer = setTimeout(() => {
      if (slot.ready || !this.slots.has(slot)) return;
      this.giveUp(new Error('a parse worker did not start in time'));
    }, this.options.startTimeoutMs);
    startTimer.unref();
    worker.on('message', (message: WorkerMessage) => {
      if ('ready' in message) {
        clearTimeout(startTimer);
        slot.ready = true;
        this.pump();
        this.whenIdle(slot);
        return;
      }
      const task = slot.tasks.get(message.id);
      // A timed-out task is settled when its terminated worker exits (below).
      if (!task || task.timedOut) return;
      this.finish(slot, task);
      if ('result' in message) task.resolve(message.result);
      else task.reject(new Error(message.error));
      this.pump();
    });
    let failure: unknown;
    worker.on('error', (error) => {
      failure = error;
    });
    worker.once('exit', () => {
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      const wasCurrent = this.slots.delete(slot);
      if (!wasCurrent && slot.tasks.size === 0) return;
      // A worker that never came up: module loading fails, and would again.
      if (!slot.ready && !this.closed) {
        this.giveUp(failure);
        return;
      }
      if (failure)
        this.onWarning('a parse worker failed; its messages are parsed again or kept raw', failure);
      for (const task of [...slot.tasks.values()]) {
        this.finish(slot, task);
        // The message that hung or crashed the worker is kept raw; the others go round again.
        if (task.timedOut || task.attempts >= 2)
          this.storeRaw(task, task.timedOut ? 'parsing timed out' : 'the parser failed');
        else this.queue.unshift(task);
      }
      this.pump();
    });
  }

  private giveUp(error: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.onWarning('parse workers cannot start; parsing on the main thread', error);
    for (const slot of this.slots) {
      for (const task of slot.tasks.values()) {
        clearTimeout(task.timer);
        this.bytesOut -= task.source.length;
        this.queue.push(task);
      }
      slot.tasks.clear();
      void this.retire(slot);
    }
    this.slots.clear();
    this.pump();
  }

  private async retire(slot: Slot): Promise<void> {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    await slot.worker.terminate();
  }

  private runHere(task: Task): void {
    handleParseRequest(task.source, this.blobs).then(task.resolve, (error: unknown) =>
      task.reject(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private storeRaw(task: Task, reason: string): void {
    this.blobs.put(task.source).then(
      (raw) => task.resolve({ raw, parsed: emptyParsedMessage(), parseError: reason }),
      (error: unknown) => task.reject(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
