// A worker thread of the parse pool (parse-pool.ts): stores a message's raw source and its
// attachments in the BlobStore and parses it, off the sync engine's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { BlobStore } from '../../lib/blob-store.js';
import { handleParseRequest, type ParseReply, type ParseRequest, type ParseWorkerData } from './parse-pool.js';

const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread');
const blobs = new BlobStore((workerData as ParseWorkerData).blobRoot);

port.on('message', (request: ParseRequest) => {
  const source = Buffer.from(request.source.buffer, request.source.byteOffset, request.source.byteLength);
  handleParseRequest(source, blobs).then(
    (result) => port.postMessage({ id: request.id, result } satisfies ParseReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies ParseReply),
  );
});
port.postMessage({ ready: true });
