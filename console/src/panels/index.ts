import type { Panel } from '../panel';
import { CatalogPanel } from './catalog';
import { JobsPanel } from './jobs';
import { OrdersPanel } from './orders';

/**
 * The signed-in console's panels, one per API area, in tab order. Users (`/users`), usage (`GET /usage`) and the
 * operator's tenants are entries to add here when those APIs land.
 */
export const PANELS: readonly Panel[] = [
  { id: 'orders', title: 'Orders', component: OrdersPanel },
  { id: 'catalog', title: 'Catalog', component: CatalogPanel },
  { id: 'jobs', title: 'Jobs', component: JobsPanel },
];
