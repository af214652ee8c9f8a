import { useEffect, useState } from 'preact/hooks';
import { Alert, money } from '../alert';
import type { PanelProps } from '../panel';
import { useAction } from '../use-async';

interface CatalogItem {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly currency: string;
  readonly public: boolean;
}

const EMPTY = { sku: '', name: '', price: '', currency: 'EUR', public: true };

/** Where the last read of the catalog came from: the REST stage cache, or the catalog function. */
type CacheOutcome = 'hit' | 'miss' | 'unknown';

/**
 * A stage-cache hit replays the function's stored answer, with the request id of the request that filled it
 * (X-Request-Id), while API Gateway gives each request its own (x-amzn-RequestId): they differ on a hit and match on
 * a miss. No timing involved; `unknown` when either header is missing (a stage with no cache still answers both).
 */
function cacheOutcome(headers: Headers): CacheOutcome {
  const answered = headers.get('x-request-id');
  const request = headers.get('x-amzn-requestid');
  if (answered === null || request === null) return 'unknown';
  return answered === request ? 'miss' : 'hit';
}

const CACHE_TEXT: Record<CacheOutcome, string> = {
  hit: 'cache hit: served by the REST stage cache, the catalog function was not called',
  miss: 'cache miss: answered by the catalog function (and now cached for you)',
  unknown: 'cache: not told by this answer',
};

/** The tenant's catalog; an admin adds or edits an item (PUT /catalog/{sku}). */
export function CatalogPanel({ api, session }: PanelProps) {
  const [items, setItems] = useState<readonly CatalogItem[]>([]);
  const [draft, setDraft] = useState(EMPTY);
  const [cache, setCache] = useState<CacheOutcome | undefined>();
  const { busy, error, run } = useAction();
  const admin = session.role === 'admin';

  const read = async () =>
    setItems(
      (
        await api<{ items: CatalogItem[] }>('GET', '/catalog', undefined, {}, (h) =>
          setCache(cacheOutcome(h)),
        )
      ).items,
    );
  const load = () => run(read);
  useEffect(() => {
    void load();
  }, [api]);

  const edit = (item: CatalogItem) => setDraft({ ...item, price: (item.price / 100).toFixed(2) });

  return (
    <section aria-labelledby="catalog-heading">
      <h2 id="catalog-heading">Catalog</h2>
      <p class="row">
        <span class="cache" aria-live="polite">
          Last read: {cache === undefined ? 'none yet' : CACHE_TEXT[cache]}
        </span>
        <button type="button" disabled={busy} onClick={() => void load()}>
          Read the catalog again
        </button>
      </p>
      <Alert message={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">SKU</th>
            <th scope="col">Name</th>
            <th scope="col">Price</th>
            <th scope="col">On the storefront</th>
            {admin ? <th scope="col">Actions</th> : null}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.sku} data-sku={item.sku}>
              <td>{item.sku}</td>
              <td class="name">{item.name}</td>
              <td class="price">{money(item.price, item.currency)}</td>
              <td>{item.public ? 'yes' : 'no'}</td>
              {admin ? (
                <td>
                  <button type="button" aria-label={`Edit ${item.sku}`} onClick={() => edit(item)}>
                    Edit
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {admin ? (
        <form
          aria-label="Add or edit an item"
          class="row"
          onSubmit={(event) => {
            event.preventDefault();
            void run(async () => {
              const { sku, ...item } = draft;
              await api('PUT', `/catalog/${encodeURIComponent(sku.trim())}`, {
                name: item.name,
                price: Math.round(Number(item.price) * 100),
                currency: item.currency,
                public: item.public,
              });
              setDraft(EMPTY);
              await read();
            });
          }}
        >
          <label>
            SKU
            <input
              value={draft.sku}
              required
              pattern="[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"
              title="1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
              onInput={(e) => setDraft({ ...draft, sku: e.currentTarget.value })}
            />
          </label>
          <label>
            Name
            <input
              value={draft.name}
              required
              onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
            />
          </label>
          <label>
            Price
            <input
              type="number"
              min="0"
              step="0.01"
              value={draft.price}
              required
              onInput={(e) => setDraft({ ...draft, price: e.currentTarget.value })}
            />
          </label>
          <label>
            Currency
            <input
              value={draft.currency}
              required
              pattern="[A-Z]{3}"
              size={3}
              onInput={(e) => setDraft({ ...draft, currency: e.currentTarget.value })}
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={draft.public}
              onChange={(e) => setDraft({ ...draft, public: e.currentTarget.checked })}
            />
            On the storefront
          </label>
          <button type="submit" disabled={busy}>
            Save item
          </button>
        </form>
      ) : null}
    </section>
  );
}
