import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsoleConfig } from '../console-config';
import { Alert } from './alert';
import type { Api } from './api';
import { type OperatorCredentials, operatorCredentials, signedApi } from './operator-api';
import { useAction } from './use-async';

interface Tenant {
  readonly tenantId: string;
  readonly name: string;
  readonly tier: 'basic' | 'premium';
  readonly status: string;
  readonly adminEmail?: string;
}

const TIERS = ['basic', 'premium'] as const;

/** Operators: sign in with AWS credentials (kept in this tab only), then list and manage tenants. */
export function OperatorConsole({ config }: { readonly config: ConsoleConfig }) {
  const [credentials, setCredentials] = useState(operatorCredentials.load);
  const api = useMemo(
    () => (credentials ? signedApi(config.apiUrl, config.region, credentials) : undefined),
    [config, credentials],
  );
  if (api === undefined) {
    return (
      <OperatorSignIn
        config={config}
        onSignIn={(given) => {
          operatorCredentials.save(given);
          setCredentials(given);
        }}
      />
    );
  }
  return (
    <>
      <header>
        <h1>saas-orders console: operator</h1>
        <p>Signed in with access key {credentials?.accessKeyId}</p>
        <button
          type="button"
          onClick={() => {
            operatorCredentials.clear();
            setCredentials(undefined);
          }}
        >
          Forget credentials
        </button>
      </header>
      <main>
        <TenantsPanel api={api} />
      </main>
    </>
  );
}

function OperatorSignIn({
  config,
  onSignIn,
}: {
  readonly config: ConsoleConfig;
  readonly onSignIn: (credentials: OperatorCredentials) => void;
}) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [sessionToken, setSessionToken] = useState('');
  return (
    <main>
      <h1>saas-orders console: operator sign-in</h1>
      <p>
        The operator API (<code>/tenants</code>) is authorized by IAM: each request is signed (SigV4) in this
        page with your AWS credentials. They stay in this tab's session storage and are forgotten when it
        closes.
      </p>
      <p class="hint">
        {config.operatorSignInHint ??
          'Print yours with: aws configure export-credentials --format process (AccessKeyId, SecretAccessKey, SessionToken).'}
      </p>
      <form
        aria-label="Operator sign-in"
        onSubmit={(event) => {
          event.preventDefault();
          onSignIn({
            accessKeyId: accessKeyId.trim(),
            secretAccessKey: secretAccessKey.trim(),
            ...(sessionToken.trim() === '' ? {} : { sessionToken: sessionToken.trim() }),
          });
        }}
      >
        <label>
          Access key ID
          <input
            value={accessKeyId}
            required
            autocomplete="off"
            onInput={(e) => setAccessKeyId(e.currentTarget.value)}
          />
        </label>
        <label>
          Secret access key
          <input
            type="password"
            value={secretAccessKey}
            required
            autocomplete="off"
            onInput={(e) => setSecretAccessKey(e.currentTarget.value)}
          />
        </label>
        <label>
          Session token (temporary credentials only)
          <input
            type="password"
            value={sessionToken}
            autocomplete="off"
            onInput={(e) => setSessionToken(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Sign in as operator</button>
      </form>
      <p>
        <a href="/">Tenant users: back to the console</a>
      </p>
    </main>
  );
}

/** Every tenant: its tier (changed here), its status (suspend, reactivate) and offboarding. */
function TenantsPanel({ api }: { readonly api: Api }) {
  const [tenants, setTenants] = useState<readonly Tenant[]>([]);
  const [tiers, setTiers] = useState<Record<string, string>>({});
  const { busy, error, run } = useAction();
  const load = async () => setTenants((await api<{ items: Tenant[] }>('GET', '/tenants?limit=100')).items);
  useEffect(() => {
    void run(load);
  }, [api]);
  const act = (method: string, path: string, body?: unknown) =>
    run(async () => {
      await api(method, path, body);
      await load();
    });

  return (
    <section aria-labelledby="tenants-heading">
      <h2 id="tenants-heading">Tenants</h2>
      <Alert message={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Name</th>
            <th scope="col">Admin</th>
            <th scope="col">Status</th>
            <th scope="col">Tier</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody aria-live="polite">
          {tenants.map((tenant) => {
            const path = `/tenants/${encodeURIComponent(tenant.tenantId)}`;
            const gone = tenant.status === 'OFFBOARDING' || tenant.status === 'OFFBOARDED';
            const tier = tiers[tenant.tenantId] ?? tenant.tier;
            return (
              <tr key={tenant.tenantId} data-tenant-id={tenant.tenantId}>
                <td>{tenant.tenantId}</td>
                <td class="name">{tenant.name}</td>
                <td>{tenant.adminEmail ?? ''}</td>
                <td class="status">{tenant.status}</td>
                <td class="tier">
                  {gone ? (
                    tenant.tier
                  ) : (
                    <form
                      class="row"
                      aria-label={`Change the tier of ${tenant.name}`}
                      onSubmit={(event) => {
                        event.preventDefault();
                        void act('PATCH', path, { tier }).then(() =>
                          // The row shows the tier the API now answers, not the choice.
                          setTiers(({ [tenant.tenantId]: _chosen, ...others }) => others),
                        );
                      }}
                    >
                      <select
                        aria-label={`Tier of ${tenant.name}`}
                        value={tier}
                        onChange={(e) => setTiers({ ...tiers, [tenant.tenantId]: e.currentTarget.value })}
                      >
                        {TIERS.map((t) => (
                          <option key={t} value={t}>
                            {t}
                          </option>
                        ))}
                      </select>
                      <button type="submit" disabled={busy || tier === tenant.tier}>
                        Change tier
                      </button>
                    </form>
                  )}
                </td>
                <td>
                  {tenant.status === 'ACTIVE' ? (
                    <button type="button" disabled={busy} onClick={() => void act('POST', `${path}/suspend`)}>
                      Suspend {tenant.name}
                    </button>
                  ) : null}
                  {tenant.status === 'SUSPENDED' ? (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() => void act('POST', `${path}/reactivate`)}
                    >
                      Reactivate {tenant.name}
                    </button>
                  ) : null}
                  {gone ? null : (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() => {
                        // Offboarding deletes the tenant's users, data and files: nothing brings them back.
                        if (confirm(`Offboard ${tenant.name}? Its users, orders and files are deleted.`)) {
                          void act('DELETE', path);
                        }
                      }}
                    >
                      Offboard {tenant.name}
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
