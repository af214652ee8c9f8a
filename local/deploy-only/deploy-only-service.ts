import type { LocalService } from '../local-service';
import { DEPLOY_ONLY_TYPES } from './deploy-only-types';
import { deployTimeNotices } from './deploy-time-settings';
import { NO_LOCAL_COUNTERPART } from './no-local-counterpart';

/**
 * What no local service serves, declared in one place so the start banner can say why: the deploy-only
 * types (monitoring, custom domains, deployment orchestration, synthetics, WAF, encryption at rest), grouped
 * by category; the common types a function could use but that have no local counterpart (S3, secrets,
 * parameters), each with its reason; and, at start, the deploy-time settings of served resources that the
 * local gateways do not apply (a stage canary, a disabled execute-api endpoint). It listens on nothing.
 */
export function deployOnlyService(): LocalService {
  return {
    name: 'deploy-only',
    resourceTypes: { emulated: [], notEmulated: NO_LOCAL_COUNTERPART, deployOnly: DEPLOY_ONLY_TYPES },
    async bind() {
      return {
        async start({ model }) {
          return { notices: deployTimeNotices(model.resources) };
        },
        async close() {},
      };
    },
  };
}
