import type { LocalResource } from '../model';
import { awsCognitoIssuer, type LocalEndpoints } from './physical-ids';

/** One AWS URL prefix and the local address that replaces it. */
export interface UrlRewrite {
  readonly from: string;
  readonly to: string;
}

const API_TYPES = new Set(['AWS::ApiGateway::RestApi', 'AWS::ApiGatewayV2::Api']);

/**
 * The AWS URLs a template builds by hand (CDK's `api.url`, a WebSocket callback URL, an issuer joined from the
 * pool id, a queue URL) and their local replacements. Only ids generated for this app can match, so unrelated
 * strings are never touched.
 */
export function urlRewrites(
  resources: readonly LocalResource[],
  env: {
    readonly region: string;
    readonly accountId: string;
    readonly urlSuffix: string;
    readonly endpoints: LocalEndpoints;
  },
): UrlRewrite[] {
  const { region, accountId, urlSuffix, endpoints } = env;
  const rewrites: UrlRewrite[] = [];
  for (const resource of resources) {
    if (API_TYPES.has(resource.type) && endpoints.executeApi) {
      for (const scheme of ['https', 'wss'] as const) {
        const to = endpoints.executeApi(resource.physicalId, scheme);
        if (to !== undefined) {
          rewrites.push({
            from: `${scheme}://${resource.physicalId}.execute-api.${region}.${urlSuffix}`,
            to,
          });
        }
      }
    }
    if (resource.type === 'AWS::Cognito::UserPool' && endpoints.cognitoIssuer) {
      rewrites.push({
        from: awsCognitoIssuer(region, urlSuffix, resource.physicalId),
        to: endpoints.cognitoIssuer(resource.physicalId),
      });
    }
    if (resource.type === 'AWS::Cognito::UserPoolDomain' && endpoints.cognitoDomain) {
      // CDK's `baseUrl()` joins the prefix into this form (a custom domain has no prefix form to rewrite).
      rewrites.push({
        from: `https://${resource.physicalId}.auth.${region}.amazoncognito.com`,
        to: endpoints.cognitoDomain(resource.physicalId),
      });
    }
  }
  if (endpoints.sqs) {
    rewrites.push({
      from: `https://sqs.${region}.${urlSuffix}/${accountId}/`,
      to: `${endpoints.sqs.replace(/\/+$/, '')}/${accountId}/`,
    });
  }
  return rewrites;
}

/** Applies the rewrites to every string inside a JSON-like value. */
export function rewriteUrls<T>(value: T, rewrites: readonly UrlRewrite[]): T {
  if (rewrites.length === 0) return value;
  const visit = (item: unknown): unknown => {
    if (typeof item === 'string') {
      return rewrites.reduce(
        (text, { from, to }) => (text.includes(from) ? text.split(from).join(to) : text),
        item,
      );
    }
    if (Array.isArray(item)) return item.map(visit);
    if (typeof item === 'object' && item !== null) {
      return Object.fromEntries(Object.entries(item).map(([key, child]) => [key, visit(child)]));
    }
    return item;
  };
  return visit(value) as T;
}
