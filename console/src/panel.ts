import type { ComponentType } from 'preact';
import type { ConsoleConfig } from '../console-config';
import type { Api } from './api';
import type { Session } from './auth';
import type { LiveChange } from './live';

/** What every panel of the signed-in console is given. */
export interface PanelProps {
  readonly config: ConsoleConfig;
  readonly session: Session;
  /** The tenant REST API, as the signed-in user. */
  readonly api: Api;
  /** Subscribes to live changes of the tenant's orders and jobs; returns the unsubscribe. */
  readonly onLive: (listener: (change: LiveChange) => void) => () => void;
}

/**
 * One panel per API area. A new area (users, usage, operator tenants) is one more entry in `PANELS`
 * (panels/index.ts): the shell builds the tabs from the list.
 */
export interface Panel {
  readonly id: string;
  readonly title: string;
  /** Shown to tenant admins only (the API refuses the others anyway). */
  readonly adminOnly?: boolean;
  readonly component: ComponentType<PanelProps>;
}
