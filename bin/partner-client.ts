#!/usr/bin/env node
/**
 * `npm run partner-client -- --tenant <tenantId> [--name <label>] [--stage <stage> | --outputs <file>]`: a thin alias
 * of `npm run saas -- client create` (bin/saas/client-create.ts).
 */
import { exitOnSaasFailure } from './saas';
import { clientCreate } from './saas/client-create';

clientCreate.run(process.argv.slice(2)).catch(exitOnSaasFailure);
