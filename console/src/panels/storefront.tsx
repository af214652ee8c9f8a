import { useEffect, useState } from 'preact/hooks';
import type { ConsoleConfig } from '../../console-config';
import { Alert, money } from '../alert';
import { jsonApi } from '../api';
import { useAction } from '../use-async';

interface PublicItem {
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly currency: string;
}

/** A tenant's public storefront (`GET /public/{slug}/catalog` on the HTTP API, no sign-in). */
export function Storefront({ config, slug }: { readonly config: ConsoleConfig; readonly slug: string }) {
  const [items, setItems] = useState<readonly PublicItem[] | undefined>();
  const { error, run } = useAction();
  useEffect(() => {
    void run(async () =>
      setItems(
        (
          await jsonApi(config.publicApiUrl)<{ items: PublicItem[] }>(
            'GET',
            `/public/${encodeURIComponent(slug)}/catalog`,
          )
        ).items,
      ),
    );
  }, [config, slug, run]);
  return (
    <main>
      <h1>Storefront: {slug}</h1>
      <Alert message={error} />
      {items === undefined ? null : items.length === 0 ? (
        <p>Nothing on sale yet.</p>
      ) : (
        <ul class="products" aria-label="Products">
          {items.map((item) => (
            <li key={item.sku}>
              <strong>{item.name}</strong> <span>{money(item.price, item.currency)}</span>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
