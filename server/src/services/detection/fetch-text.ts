// A small, bounded HTTP(S) GET for autoconfig documents. Names are resolved through the given
// resolver at connect time, so the private-network rule sees the address actually used.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { ResolveHost } from '../../mail/diagnosis/types.js';

export interface FetchTextOptions {
  timeoutMs: number;
  maxBytes: number;
  resolve: ResolveHost;
}

export type FetchText = (url: string, opts: FetchTextOptions) => Promise<{ status: number; body: string }>;

function lookupVia(resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const entries = addresses.map((address) => ({ address, family: isIP(address) }));
        if (options.all) callback(null, entries);
        else callback(null, entries[0]?.address ?? '', entries[0]?.family ?? 4);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

export const fetchText: FetchText = (url, opts) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const request = client.get(
      target,
      {
        lookup: lookupVia(opts.resolve),
        signal: AbortSignal.timeout(opts.timeoutMs),
        headers: { accept: 'application/xml, text/xml' },
      },
      (response) => {
        let size = 0;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            request.destroy(new Error(`response larger than ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
