import { CfnOutput } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { DomainConfig } from './config';
import type { LiveUpdates } from './live-updates';
import type { PublicApi } from './public-api';
import type { TenantRestApi } from './tenant-rest-api';

/** The host of each API under the configured domain: `api.<domain>`, `public.<domain>`, `ws.<domain>`. */
export const API_HOSTS = { rest: 'api', public: 'public', webSocket: 'ws' } as const;

/** The REST API's base path on its domain: `api.<domain>/v1/orders`, so a `v2` can be mapped beside it. */
export const REST_BASE_PATH = 'v1';

/**
 * The REST domain's policy: TLS 1.2 at the minimum, as the partners and carriers posting events at volume need
 * (TLS 1.3-only would shut out e.g. Java 8 and older Android clients), and otherwise the strongest a REGIONAL REST
 * domain accepts: TLS 1.3 preferred, forward-secret suites only, post-quantum hybrid key exchange where the client
 * offers it. `TLS13_1_3_2025_09` (TLS 1.3 only) is the one-line switch for an API whose clients all speak 1.3.
 */
const REST_SECURITY_POLICY = apigw.SecurityPolicy.TLS13_1_2_PFS_PQ_2025_09;

/**
 * TLS 1.2 for the HTTP and WebSocket domains: the strongest `apigwv2.SecurityPolicy` has (API Gateway maps no
 * HTTP API to a domain with an enhanced policy).
 */
const V2_SECURITY_POLICY = apigwv2.SecurityPolicy.TLS_1_2;

export interface CustomDomainsProps {
  /** The stage's domain settings. */
  readonly domain: DomainConfig;
  /** The tenant REST API: served on `api.<domain>/v1`. */
  readonly rest: TenantRestApi;
  /** The public HTTP API: served on `public.<domain>`. */
  readonly publicApi: PublicApi;
  /**
   * The live-updates WebSocket API: served on `ws.<domain>`. With the default endpoints disabled, its
   * broadcaster posts to `@connections` through that domain too.
   */
  readonly liveUpdates: LiveUpdates;
}

/**
 * Custom domains for the three APIs: the REST API on `api.<domain>` under the base path `v1`, the HTTP API on
 * `public.<domain>` and the WebSocket API on `ws.<domain>`, each a regional, dual-stack endpoint with the
 * strongest TLS policy its kind accepts. The certificate is the configured one, or a DNS-validated `*.<domain>`
 * certificate requested in the hosted zone; with a zone, A and AAAA alias records point the three names at their
 * endpoints. Optionally the default `execute-api` endpoints are disabled, leaving the domains as the only way in.
 */
export class CustomDomains extends Construct {
  readonly certificate: acm.ICertificate;
  readonly restDomain: apigw.DomainName;
  readonly publicDomain: apigwv2.DomainName;
  readonly webSocketDomain: apigwv2.DomainName;
  /** `https://api.<domain>/v1`: the REST API's routes hang under it (`…/v1/orders`). */
  readonly restUrl: string;
  /** `https://public.<domain>`: the public HTTP API. */
  readonly publicUrl: string;
  /** `wss://ws.<domain>`: where clients open live-update connections (`?token=<ID token>`). */
  readonly webSocketUrl: string;

  constructor(scope: Construct, id: string, props: CustomDomainsProps) {
    super(scope, id);
    const { domain, rest, publicApi, liveUpdates } = props;
    const host = (name: string) => `${name}.${domain.domainName}`;

    const zone =
      domain.hostedZoneId === undefined
        ? undefined
        : route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
            hostedZoneId: domain.hostedZoneId,
            zoneName: domain.domainName,
          });
    this.certificate = this.certificateFor(domain, zone);

    this.restDomain = new apigw.DomainName(this, 'RestDomain', {
      domainName: host(API_HOSTS.rest),
      certificate: this.certificate,
      endpointType: apigw.EndpointType.REGIONAL,
      securityPolicy: REST_SECURITY_POLICY,
      // Enhanced policies require an access mode; STRICT also refuses requests whose SNI names another host.
      endpointAccessMode: apigw.EndpointAccessMode.STRICT,
    });
    // The REST DomainName L2 has no IP address type; IPv6 clients need the dual-stack endpoint.
    (this.restDomain.node.defaultChild as apigw.CfnDomainName).endpointConfiguration = {
      types: [apigw.EndpointType.REGIONAL],
      ipAddressType: 'dualstack',
    };
    new apigw.BasePathMapping(this, 'RestMapping', {
      domainName: this.restDomain,
      restApi: rest.api,
      basePath: REST_BASE_PATH,
      stage: rest.api.deploymentStage,
    });

    this.publicDomain = this.v2Domain('PublicDomain', host(API_HOSTS.public));
    new apigwv2.ApiMapping(this, 'PublicMapping', {
      api: publicApi.api,
      domainName: this.publicDomain,
      stage: publicApi.stage,
    });
    this.webSocketDomain = this.v2Domain('WebSocketDomain', host(API_HOSTS.webSocket));
    new apigwv2.ApiMapping(this, 'WebSocketMapping', {
      api: liveUpdates.api,
      domainName: this.webSocketDomain,
      stage: liveUpdates.stage,
    });

    if (zone !== undefined) {
      this.aliasRecords(zone, 'Rest', host(API_HOSTS.rest), new targets.ApiGatewayDomain(this.restDomain));
      for (const [recordId, name, v2Domain] of [
        ['Public', host(API_HOSTS.public), this.publicDomain],
        ['WebSocket', host(API_HOSTS.webSocket), this.webSocketDomain],
      ] as const) {
        this.aliasRecords(
          zone,
          recordId,
          name,
          new targets.ApiGatewayv2DomainProperties(
            v2Domain.regionalDomainName,
            v2Domain.regionalHostedZoneId,
          ),
        );
      }
    }

    this.restUrl = `https://${host(API_HOSTS.rest)}/${REST_BASE_PATH}`;
    this.publicUrl = `https://${host(API_HOSTS.public)}`;
    this.webSocketUrl = `wss://${host(API_HOSTS.webSocket)}`;

    if (domain.disableDefaultEndpoints) {
      this.disableDefaultEndpoints(props, `https://${host(API_HOSTS.webSocket)}`);
    }

    for (const [outputId, value, description] of [
      ['RestUrl', this.restUrl, 'The tenant REST API on its custom domain (routes under /v1)'],
      ['PublicUrl', this.publicUrl, 'The public HTTP API on its custom domain'],
      ['WebSocketUrl', this.webSocketUrl, 'The live-updates WebSocket API on its custom domain (?token=)'],
    ] as const) {
      new CfnOutput(this, outputId, { value, description });
    }
  }

  private certificateFor(domain: DomainConfig, zone: route53.IHostedZone | undefined): acm.ICertificate {
    if (domain.certificateArn !== undefined) {
      return acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn);
    }
    if (zone === undefined) {
      throw new Error(
        `custom domain '${domain.domainName}' has neither a certificate nor a hosted zone: give -c certificateArn=arn:aws:acm:… or -c hostedZoneId=Z…`,
      );
    }
    // One wildcard name covers api., public. and ws. (one label deep), so no alternative names are needed.
    return new acm.Certificate(this, 'Certificate', {
      domainName: `*.${domain.domainName}`,
      validation: acm.CertificateValidation.fromDns(zone),
    });
  }

  private v2Domain(id: string, domainName: string): apigwv2.DomainName {
    return new apigwv2.DomainName(this, id, {
      domainName,
      certificate: this.certificate,
      endpointType: apigwv2.EndpointType.REGIONAL,
      securityPolicy: V2_SECURITY_POLICY,
      ipAddressType: apigwv2.IpAddressType.DUAL_STACK,
    });
  }

  /** A and AAAA aliases: every domain is dual-stack, so IPv6 resolvers get an answer too. */
  private aliasRecords(
    zone: route53.IHostedZone,
    id: string,
    recordName: string,
    alias: route53.IAliasRecordTarget,
  ): void {
    const target = route53.RecordTarget.fromAlias(alias);
    new route53.ARecord(this, `${id}A`, { zone, recordName, target });
    new route53.AaaaRecord(this, `${id}Aaaa`, { zone, recordName, target });
  }

  /**
   * Turns off `execute-api` on all three APIs. The flag is set on each API's CloudFormation resource, so the one
   * switch stays here: the REST and HTTP L2 props are constructor-only and the WebSocket L2 has none.
   */
  private disableDefaultEndpoints(
    { rest, publicApi, liveUpdates }: CustomDomainsProps,
    connectionsUrl: string,
  ): void {
    (rest.api.node.defaultChild as apigw.CfnRestApi).disableExecuteApiEndpoint = true;
    // A REST API only applies the flag with a new deployment; tying it to the deployment's hash makes one.
    rest.api.latestDeployment?.addToLogicalId({ disableExecuteApiEndpoint: true });
    (publicApi.api.node.defaultChild as apigwv2.CfnApi).disableExecuteApiEndpoint = true;
    (liveUpdates.api.node.defaultChild as apigwv2.CfnApi).disableExecuteApiEndpoint = true;
    // The @connections management API answers on the API's endpoints only: with execute-api off, the broadcaster
    // must post through the custom domain (its root maps to the stage, so no stage in the path).
    liveUpdates.broadcaster.bindValue('CALLBACK_URL', connectionsUrl);
  }
}
