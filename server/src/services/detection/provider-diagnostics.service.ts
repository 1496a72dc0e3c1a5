// The admin's connection test of a registered provider (POST /providers/{id}/test).
import { validationFailed } from '../../domain/errors.js';
import type { Provider } from '../../domain/provider.js';
import type { Actor } from '../../domain/user.js';
import { diagnoseProvider, type DiagnoseOptions, type Diagnosis } from '../../mail/diagnosis/diagnose.js';
import type { Credentials } from '../../mail/diagnosis/types.js';
import { requireAdmin } from '../users.service.js';

export interface TestCredentialsInput {
  login?: string;
  password?: string;
  accessToken?: string;
}

function credentialsOf(input: TestCredentialsInput): Credentials | undefined {
  const login = input.login?.trim();
  const { password, accessToken } = input;
  if (!login && !password && !accessToken) return undefined;
  if (!login) throw validationFailed({ login: 'is required to test the sign-in' });
  if (password && accessToken)
    throw validationFailed({ accessToken: 'give a password or an access token, not both' });
  if (accessToken) return { login, accessToken };
  if (!password) throw validationFailed({ password: 'is required to test the sign-in' });
  return { login, password };
}

export class ProviderDiagnosticsService {
  constructor(
    private readonly providers: { get(actor: Actor, id: string): Promise<Provider> },
    private readonly options: DiagnoseOptions = {},
    /** what changes for a provider a user added and no admin reviewed: the guarded resolver */
    private readonly untrustedOptions: DiagnoseOptions = {},
  ) {}

  /** A failed connection is a result, not an error: the diagnosis itself succeeded. */
  async test(actor: Actor, providerId: string, input: TestCredentialsInput): Promise<Diagnosis> {
    requireAdmin(actor);
    const credentials = credentialsOf(input);
    const provider = await this.providers.get(actor, providerId);
    return diagnoseProvider(
      provider,
      credentials,
      provider.trusted ? this.options : { ...this.options, ...this.untrustedOptions },
    );
  }
}
