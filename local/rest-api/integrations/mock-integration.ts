import { runMockIntegration } from '../integration-response';
import type { RestIntegration } from './rest-integration';

/** `MOCK`: API Gateway answers from the integration responses alone (CORS preflights, stubs). */
export const mockIntegration: RestIntegration = {
  async run(request) {
    const response = runMockIntegration({
      integration: request.integration,
      requestBody: request.request.body.toString('utf8'),
      contentType: request.request.headers['content-type']?.at(-1)?.split(';')[0]?.trim(),
      context: request.vtlContext,
      sources: request.sources,
      accept: request.request.headers.accept?.at(-1),
    });
    return response ? { response } : { error: { responseType: 'API_CONFIGURATION_ERROR' } };
  },
};
