import { useEffect, useState } from 'preact/hooks';
import { Alert, money } from '../alert';
import type { PanelProps } from '../panel';
import { useAction } from '../use-async';

interface Order {
  readonly orderId: string;
  readonly status: string;
  readonly items: ReadonlyArray<{ sku: string; quantity: number }>;
  readonly currency: string;
  readonly total: number;
  readonly note?: string;
  readonly version: number;
  readonly trackingId: string;
  readonly createdAt: string;
}

interface CatalogItem {
  readonly sku: string;
  readonly name: string;
}

/** The forward step PATCH allows from each status (services/orders/order-status.ts). */
const NEXT_STATUS: Record<string, string | undefined> = {
  pending: 'confirmed',
  confirmed: 'shipped',
  shipped: 'delivered',
};
const CANCELLABLE = new Set(['pending', 'confirmed']);

/** The tenant's orders, kept current by the WebSocket; place, advance and cancel orders. */
export function OrdersPanel({ api, onLive }: PanelProps) {
  const [orders, setOrders] = useState<readonly Order[]>([]);
  const [catalog, setCatalog] = useState<readonly CatalogItem[]>([]);
  const [announcement, setAnnouncement] = useState('');
  const { busy, error, run } = useAction();

  useEffect(() => {
    void run(async () => {
      const [page, items] = await Promise.all([
        api<{ items: Order[] }>('GET', '/orders?limit=50'),
        api<{ items: CatalogItem[] }>('GET', '/catalog'),
      ]);
      setOrders(page.items);
      setCatalog(items.items);
    });
  }, [api, run]);

  // A change of an order this page lists updates it in place; a new one is fetched and put on top.
  useEffect(
    () =>
      onLive((change) => {
        if (change.type !== 'order') return;
        void api<Order>('GET', `/orders/${change.id}`).then((order) => {
          setOrders((current) => {
            const known = current.some((o) => o.orderId === order.orderId);
            if (known && current.some((o) => o.orderId === order.orderId && o.version >= order.version))
              return current;
            return known
              ? current.map((o) => (o.orderId === order.orderId ? order : o))
              : [order, ...current];
          });
          setAnnouncement(`Order ${order.orderId} is ${order.status} (version ${order.version})`);
        });
      }),
    [api, onLive],
  );

  const replace = (order: Order) =>
    setOrders((current) => current.map((o) => (o.orderId === order.orderId ? order : o)));

  return (
    <section aria-labelledby="orders-heading">
      <h2 id="orders-heading">Orders</h2>
      <PlaceOrder
        catalog={catalog}
        busy={busy}
        onPlace={(items, note) =>
          run(async () => {
            const order = await api<Order>(
              'POST',
              '/orders',
              { items, ...(note ? { note } : {}) },
              {
                'idempotency-key': crypto.randomUUID(),
              },
            );
            setOrders((current) =>
              current.some((o) => o.orderId === order.orderId) ? current : [order, ...current],
            );
          })
        }
      />
      <Alert message={error} />
      <p class="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      <table>
        <caption>Newest first; changes made anywhere appear here live.</caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Status</th>
            <th scope="col">Items</th>
            <th scope="col">Total</th>
            <th scope="col">Note</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((order) => {
            const next = NEXT_STATUS[order.status];
            return (
              <tr key={order.orderId} data-order-id={order.orderId}>
                <td>
                  <a href={`/track/${order.trackingId}`}>{order.orderId}</a>
                </td>
                <td class="status">{order.status}</td>
                <td>{order.items.map((item) => `${item.quantity} × ${item.sku}`).join(', ')}</td>
                <td>{money(order.total, order.currency)}</td>
                <td>{order.note ?? ''}</td>
                <td>
                  {next === undefined ? null : (
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`Mark order ${order.orderId} ${next}`}
                      onClick={() =>
                        run(async () =>
                          replace(
                            await api<Order>('PATCH', `/orders/${order.orderId}`, {
                              version: order.version,
                              status: next,
                            }),
                          ),
                        )
                      }
                    >
                      Mark {next}
                    </button>
                  )}
                  {CANCELLABLE.has(order.status) ? (
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={`Cancel order ${order.orderId}`}
                      onClick={() =>
                        run(async () =>
                          replace(
                            await api<Order>('DELETE', `/orders/${order.orderId}?version=${order.version}`),
                          ),
                        )
                      }
                    >
                      Cancel
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function PlaceOrder(props: {
  readonly catalog: readonly CatalogItem[];
  readonly busy: boolean;
  readonly onPlace: (items: Array<{ sku: string; quantity: number }>, note: string) => Promise<void>;
}) {
  const [sku, setSku] = useState('');
  const [quantity, setQuantity] = useState(1);
  const [note, setNote] = useState('');
  const chosen = sku || props.catalog[0]?.sku || '';
  return (
    <form
      class="row"
      aria-label="Place an order"
      onSubmit={(event) => {
        event.preventDefault();
        void props.onPlace([{ sku: chosen, quantity }], note.trim()).then(() => setNote(''));
      }}
    >
      <label>
        Item
        <select value={chosen} onChange={(e) => setSku(e.currentTarget.value)} required>
          {props.catalog.map((item) => (
            <option key={item.sku} value={item.sku}>
              {item.name} ({item.sku})
            </option>
          ))}
        </select>
      </label>
      <label>
        Quantity
        <input
          type="number"
          min={1}
          max={1000}
          value={quantity}
          onInput={(e) => setQuantity(Number(e.currentTarget.value))}
          required
        />
      </label>
      <label>
        Note
        <input value={note} maxLength={500} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={props.busy || chosen === ''}>
        Place order
      </button>
    </form>
  );
}
