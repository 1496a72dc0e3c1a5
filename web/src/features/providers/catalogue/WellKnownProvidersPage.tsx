import { paths } from '../../../app/paths.js';
import { navigate } from '../../../app/router.js';
import { PageHeader } from '../../../shared/PageHeader.js';
import { ProviderCatalogue } from './ProviderCatalogue.js';

export function WellKnownProvidersPage() {
  return (
    <>
      <PageHeader
        title="Well-known providers"
        description="Servers, ports and sign-in of common email services. Add one and it becomes an email provider with its domains."
      />
      <ProviderCatalogue onCreated={(provider) => navigate(paths.provider(provider.id))} />
    </>
  );
}
