// Storage for oidc-provider's artefacts (codes, tokens, grants, sessions, clients), kept in the
// rig's memory. Written out instead of the library's development adapter so that the rig can list
// grants (to revoke them for a test) and register clients at run time.

/** What oidc-provider stores: a JSON object; grant-bound artefacts carry `grantId`. */
export interface StoredPayload {
  grantId?: string;
  uid?: string;
  userCode?: string;
  consumed?: number;
  accountId?: string;
  clientId?: string;
  [key: string]: unknown;
}

interface Entry {
  payload: StoredPayload;
  /** epoch ms, or undefined for no expiry (clients) */
  expiresAt: number | undefined;
}

/** One store shared by every model's adapter, so a grant can be revoked across models. */
export class MemoryStore {
  private readonly entries = new Map<string, Entry>();

  get(model: string, id: string): StoredPayload | undefined {
    const key = `${model}:${id}`;
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(model: string, id: string, payload: StoredPayload, expiresInSeconds: number | undefined): void {
    this.entries.set(`${model}:${id}`, {
      payload,
      expiresAt: expiresInSeconds === undefined ? undefined : Date.now() + expiresInSeconds * 1000,
    });
  }

  delete(model: string, id: string): void {
    this.entries.delete(`${model}:${id}`);
  }

  /** Every live payload of a model, with its id. */
  *list(model: string): Generator<[string, StoredPayload]> {
    const prefix = `${model}:`;
    for (const [key, entry] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) continue;
      yield [key.slice(prefix.length), entry.payload];
    }
  }

  deleteGrant(grantId: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.payload.grantId === grantId) this.entries.delete(key);
    }
  }
}

/** The adapter class oidc-provider instantiates once per model name. */
export function memoryAdapter(store: MemoryStore) {
  return class MemoryAdapter {
    constructor(private readonly model: string) {}

    upsert(id: string, payload: StoredPayload, expiresIn?: number): Promise<void> {
      store.set(this.model, id, payload, expiresIn);
      return Promise.resolve();
    }

    find(id: string): Promise<StoredPayload | undefined> {
      return Promise.resolve(store.get(this.model, id));
    }

    findByUid(uid: string): Promise<StoredPayload | undefined> {
      for (const [, payload] of store.list(this.model))
        if (payload.uid === uid) return Promise.resolve(payload);
      return Promise.resolve(undefined);
    }

    findByUserCode(userCode: string): Promise<StoredPayload | undefined> {
      for (const [, payload] of store.list(this.model))
        if (payload.userCode === userCode) return Promise.resolve(payload);
      return Promise.resolve(undefined);
    }

    consume(id: string): Promise<void> {
      const payload = store.get(this.model, id);
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      return Promise.resolve();
    }

    destroy(id: string): Promise<void> {
      store.delete(this.model, id);
      return Promise.resolve();
    }

    revokeByGrantId(grantId: string): Promise<void> {
      store.deleteGrant(grantId);
      return Promise.resolve();
    }
  };
}
