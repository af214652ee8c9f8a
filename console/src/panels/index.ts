import type { Panel } from '../panel';
import { CatalogPanel } from './catalog';
import { JobsPanel } from './jobs';
import { OrdersPanel } from './orders';
import { UsagePanel } from './usage';
import { UsersPanel } from './users';

/**
 * The signed-in console's panels, one per API area, in tab order. The operator's tenants (`/tenants`, SigV4-signed)
 * are not a panel: a browser holds no AWS credentials.
 */
export const PANELS: readonly Panel[] = [
  { id: 'orders', title: 'Orders', component: OrdersPanel },
  { id: 'catalog', title: 'Catalog', component: CatalogPanel },
  { id: 'jobs', title: 'Jobs', component: JobsPanel },
  { id: 'users', title: 'Users', adminOnly: true, component: UsersPanel },
  { id: 'usage', title: 'Usage', component: UsagePanel },
];
