import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsoleConfig } from '../console-config';
import { Alert } from './alert';
import { jsonApi } from './api';
import {
  CALLBACK_PATH,
  completeSignIn,
  currentSession,
  freshIdToken,
  type Session,
  signOut,
  startSignIn,
} from './auth';
import { connectLive, type LiveChange, type LiveState } from './live';
import type { OperatorConsole } from './operator-console';
import { PANELS } from './panels';
import { Storefront } from './panels/storefront';
import { Tracking } from './panels/tracking';

/** The page for the current path: the public storefront and tracking pages, the callback, or the console. */
export function App({ config }: { readonly config: ConsoleConfig }) {
  const path = location.pathname;
  const store = /^\/store\/([^/]+)$/.exec(path);
  if (store?.[1] !== undefined) return <Storefront config={config} slug={decodeURIComponent(store[1])} />;
  const track = /^\/track\/([^/]+)$/.exec(path);
  if (track?.[1] !== undefined) return <Tracking config={config} trackingId={decodeURIComponent(track[1])} />;
  if (path === OPERATOR_PATH) return <LazyOperatorConsole config={config} />;
  return <TenantConsole config={config} />;
}

/** The operator page (`/operator`) and the SigV4 signer it needs, in a chunk only operators download. */
const OPERATOR_PATH = '/operator';

function LazyOperatorConsole({ config }: { readonly config: ConsoleConfig }) {
  const [loaded, setLoaded] = useState<typeof OperatorConsole | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    import('./operator-console').then(
      (module) => setLoaded(() => module.OperatorConsole),
      (caught: Error) => setError(`the operator page could not load: ${caught.message}`),
    );
  }, []);
  if (loaded === undefined) return <Alert message={error} />;
  const Loaded = loaded;
  return <Loaded config={config} />;
}

function TenantConsole({ config }: { readonly config: ConsoleConfig }) {
  const [session, setSession] = useState<Session | undefined>(currentSession);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (location.pathname !== CALLBACK_PATH) return;
    completeSignIn(config, new URLSearchParams(location.search))
      .then(setSession, (caught: Error) => setError(caught.message))
      .finally(() => history.replaceState(null, '', '/'));
  }, [config]);
  if (session === undefined) return <SignedOut config={config} error={error} />;
  return <SignedIn config={config} session={session} />;
}

function SignedOut({
  config,
  error,
}: {
  readonly config: ConsoleConfig;
  readonly error: string | undefined;
}) {
  const [slug, setSlug] = useState('');
  return (
    <main>
      <h1>saas-orders console</h1>
      <Alert message={error} />
      <p>Tenant users sign in with the pool's managed login.</p>
      <button type="button" onClick={() => void startSignIn(config)}>
        Sign in
      </button>
      <p>
        <a href={OPERATOR_PATH}>Operators: sign in with AWS credentials</a>
      </p>
      <h2>Storefronts</h2>
      <form
        class="row"
        aria-label="Open a storefront"
        onSubmit={(event) => {
          event.preventDefault();
          location.assign(`/store/${encodeURIComponent(slug.trim())}`);
        }}
      >
        <label>
          Store name
          <input value={slug} required onInput={(e) => setSlug(e.currentTarget.value)} />
        </label>
        <button type="submit">Open storefront</button>
      </form>
    </main>
  );
}

function SignedIn({ config, session }: { readonly config: ConsoleConfig; readonly session: Session }) {
  const api = useMemo(() => jsonApi(config.apiUrl, () => freshIdToken(config)), [config]);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const [listeners] = useState(() => new Set<(change: LiveChange) => void>());
  const onLive = useCallback(
    (listener: (change: LiveChange) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    [listeners],
  );
  useEffect(
    () =>
      connectLive(
        config.webSocketUrl,
        () => freshIdToken(config),
        (change) => {
          for (const listener of listeners) listener(change);
        },
        setLiveState,
      ),
    [config, listeners],
  );
  const panels = PANELS.filter((panel) => !panel.adminOnly || session.role === 'admin');
  const [selected, setSelected] = useState(panels[0]?.id);
  const panel = panels.find((p) => p.id === selected) ?? panels[0];
  return (
    <>
      <header>
        <h1>saas-orders console</h1>
        <p>
          {session.email} ({session.role}) ·{' '}
          <span class={`live ${liveState}`}>live updates: {liveState}</span>
        </p>
        <button type="button" onClick={() => signOut(config)}>
          Sign out
        </button>
        <nav aria-label="Panels">
          {panels.map((p) => (
            <button
              key={p.id}
              type="button"
              aria-current={p.id === panel?.id ? 'page' : undefined}
              onClick={() => setSelected(p.id)}
            >
              {p.title}
            </button>
          ))}
        </nav>
      </header>
      <main>
        {panel ? <panel.component config={config} session={session} api={api} onLive={onLive} /> : null}
      </main>
    </>
  );
}
