// A small HTTP client for tests that behaves like the browser app: it keeps the session
// cookie and sends the CSRF token on state-changing requests.
export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } };

/** A pending request whose status can be asserted fluently: `await client.get(url).expect(200)`. */
export class PendingRequest<T = unknown> implements PromiseLike<ApiResponse<T>> {
  constructor(private readonly run: () => Promise<ApiResponse<T>>) {}

  then<A = ApiResponse<T>, B = never>(
    onfulfilled?: ((value: ApiResponse<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): PromiseLike<A | B> {
    return this.run().then(onfulfilled, onrejected);
  }

  /** Resolves to the body when the status matches, else rejects with the response text. */
  async expect(status: number): Promise<T> {
    const res = await this.run();
    if (res.status !== status) throw new Error(`expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
    return res.body;
  }

  /** Expects an error body with this status and code; resolves to the error. */
  async expectError(status: number, code: string): Promise<ErrorBody['error']> {
    const res = await this.run();
    const body = res.body as Partial<ErrorBody>;
    if (res.status !== status || body.error?.code !== code) {
      throw new Error(`expected HTTP ${status} ${code}, got ${res.status}: ${res.text.slice(0, 500)}`);
    }
    return body.error;
  }
}

export class ApiClient {
  /** the session cookie, `name=value` */
  cookie: string | undefined;
  /** the device cookie a successful sign-in sets, `name=value`, kept like a browser keeps it */
  deviceCookie: string | undefined;
  csrfToken: string | undefined;
  bearer: string | undefined;

  constructor(readonly baseUrl: string) {}

  async login(email: string, password: string): Promise<void> {
    const res = await this.request<{ csrfToken: string }>('POST', '/api/v1/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
    this.csrfToken = res.body.csrfToken;
  }

  get<T = unknown>(path: string) {
    return new PendingRequest<T>(() => this.request<T>('GET', path));
  }
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) {
    return new PendingRequest<T>(() => this.request<T>('POST', path, body, headers));
  }
  put<T = unknown>(path: string, body?: unknown) {
    return new PendingRequest<T>(() => this.request<T>('PUT', path, body));
  }
  patch<T = unknown>(path: string, body?: unknown) {
    return new PendingRequest<T>(() => this.request<T>('PATCH', path, body));
  }
  delete<T = unknown>(path: string, body?: unknown) {
    return new PendingRequest<T>(() => this.request<T>('DELETE', path, body));
  }

  /** Low-level: any method, a raw string body (for malformed JSON), extra headers. */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    const cookies = [this.cookie, this.deviceCookie].filter(Boolean);
    if (cookies.length > 0) headers.cookie = cookies.join('; ');
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.csrfToken && method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    let payload: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(this.baseUrl + path, { method, headers: { ...headers, ...extraHeaders }, body: payload, redirect: 'manual' });
    for (const setCookie of res.headers.getSetCookie()) {
      const [pair] = setCookie.split(';');
      if (/^(__Host-)?mailyard_session=/.test(pair ?? '')) this.cookie = pair?.endsWith('=') ? undefined : pair;
      if (/^(__Host-)?mailyard_device=/.test(pair ?? '')) this.deviceCookie = pair;
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('application/json') && text) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }
}
