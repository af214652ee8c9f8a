import * as logs from 'aws-cdk-lib/aws-logs';
import { stageConfig, stageConfigFromContext } from '../../infra/config';

const CERT = 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

describe('stage config', () => {
  it('gives a sandbox that is cheap and disposable (but shows the stage cache prod has), and a prod that keeps and guards its data', () => {
    expect(stageConfig('sandbox')).toMatchObject({
      sandbox: true,
      retainData: false,
      logRetention: logs.RetentionDays.ONE_WEEK,
      executionLogLevel: 'INFO',
      functionDeployment: 'ALL_AT_ONCE',
      syntheticsCanary: false,
      waf: false,
      stageCache: true,
    });
    expect(stageConfig('prod')).toMatchObject({
      sandbox: false,
      retainData: true,
      mfaRequired: true,
      executionLogLevel: 'ERROR',
      functionDeployment: 'CANARY_10PERCENT_5MINUTES',
      syntheticsCanary: true,
      waf: true,
      stageCache: true,
    });
    expect(stageConfig('sandbox').domain).toBeUndefined();
    expect(stageConfig('prod').restStageCanary).toBeUndefined();
  });

  it('defaults to the sandbox stage when no -c stage is given', () => {
    expect(stageConfigFromContext(() => undefined).stage).toBe('sandbox');
  });

  it('reads every override from the app context, CLI strings and cdk.json values alike', () => {
    const context: Record<string, unknown> = {
      stage: 'prod',
      syntheticsCanary: 'false',
      stageCache: false,
      alarmEmail: 'ops@example.com',
      logRetentionDays: '30',
      restCanaryPercent: '10',
      restCanaryStageVariables: 'release=canary,flag=on',
    };
    expect(stageConfigFromContext((key) => context[key])).toMatchObject({
      stage: 'prod',
      syntheticsCanary: false,
      stageCache: false,
      alarmEmail: 'ops@example.com',
      logRetention: logs.RetentionDays.ONE_MONTH,
      restStageCanary: { percentTraffic: 10, stageVariableOverrides: { release: 'canary', flag: 'on' } },
    });
  });

  it('configures a custom domain from a hosted zone or a certificate, and defaults to keeping execute-api', () => {
    expect(stageConfig('prod', { domainName: 'example.com', hostedZoneId: 'Z0123456789ABC' }).domain).toEqual(
      {
        domainName: 'example.com',
        hostedZoneId: 'Z0123456789ABC',
        disableDefaultEndpoints: false,
      },
    );
    expect(
      stageConfig('sandbox', {
        domainName: 'example.com',
        certificateArn: CERT,
        disableDefaultEndpoints: 'true',
      }).domain,
    ).toEqual({ domainName: 'example.com', certificateArn: CERT, disableDefaultEndpoints: true });
  });

  it.each([
    [{ waf: 'yes' }, 'config waf="yes" is not valid: use true or false, e.g. -c waf=true'],
    [{ logRetentionDays: '10' }, 'config logRetentionDays="10" is not valid: use one of'],
    [
      { alarmEmail: 'ops' },
      'config alarmEmail="ops" is not valid: use a value like -c alarmEmail=ops@example.com',
    ],
    [{ functionDeployment: 'LINEAR' }, 'use ALL_AT_ONCE or CANARY_10PERCENT_5MINUTES'],
    [{ restCanaryPercent: '0' }, 'config restCanaryPercent="0" is not valid: use a percentage above 0'],
    [{ restCanaryPercent: '150' }, 'config restCanaryPercent="150" is not valid'],
    [
      { restCanaryStageVariables: 'a=b' },
      'stage-variable overrides only apply to a canary: set -c restCanaryPercent=10 too',
    ],
    [{ restCanaryPercent: '5', restCanaryStageVariables: 'a' }, 'use name=value pairs'],
    [{ domainName: 'example.com' }, 'a custom domain needs a certificate: give -c certificateArn='],
    [{ domainName: 'Example..com', hostedZoneId: 'Z1' }, 'config domainName="Example..com" is not valid'],
    [{ domainName: 'example.com', hostedZoneId: 'zone' }, 'config hostedZoneId="zone" is not valid'],
    [
      { domainName: 'example.com', certificateArn: 'arn:aws:acm:cert' },
      'config certificateArn="arn:aws:acm:cert" is not valid',
    ],
    [
      { hostedZoneId: 'Z1' },
      'config hostedZoneId="Z1" is not valid: it only applies with a custom domain: set -c domainName=example.com too',
    ],
    [{ allowedOrigins: 'https://app.example.com/x' }, 'is not an origin'],
    [{ allowedOrigins: ' , ' }, 'list at least one origin'],
    [{ colour: 'blue' }, 'unknown config key(s) colour: use one of profile, allowedOrigins,'],
    [
      { jobRetryMaxDelaySeconds: '0' },
      'config jobRetryMaxDelaySeconds="0" is not valid: use whole seconds from 1 to 300',
    ],
    [{ jobRetryMaxDelaySeconds: '301' }, 'config jobRetryMaxDelaySeconds="301" is not valid'],
    [{ jobRetryMaxDelaySeconds: '1.5' }, 'config jobRetryMaxDelaySeconds="1.5" is not valid'],
  ])('refuses %j naming the key and the fix', (overrides, message) => {
    expect(() => stageConfig('sandbox', overrides as Record<string, unknown>)).toThrow(message);
  });

  it('refuses "*" as an allowed origin in prod with the fix in the message, and allows it in a sandbox', () => {
    expect(() => stageConfig('prod', { allowedOrigins: '*' })).toThrow(
      "allowed origin '*' is not allowed in prod",
    );
    expect(stageConfig('sandbox', { allowedOrigins: '*' }).allowedOrigins).toEqual(['*']);
  });

  it('takes the console origin gateway responses name (-c consoleOrigin), adding it to the allowed origins, never "*"', () => {
    expect(stageConfig('sandbox').consoleOrigin).toBeUndefined();
    expect(stageConfig('sandbox', { consoleOrigin: 'http://localhost:5173' })).toMatchObject({
      consoleOrigin: 'http://localhost:5173',
      allowedOrigins: ['http://localhost:5173', 'http://localhost:3000'],
    });
    expect(stageConfig('prod', { consoleOrigin: 'https://console.example.com' }).allowedOrigins).toEqual([
      'https://app.example.com',
      'https://console.example.com',
    ]);
    expect(() => stageConfig('sandbox', { consoleOrigin: '*' })).toThrow(
      'use a value like -c consoleOrigin=http://localhost:5173',
    );
  });

  it('lets only a sandbox switch WAF off', () => {
    expect(stageConfig('sandbox', { waf: 'true' }).waf).toBe(true);
    expect(() => stageConfig('prod', { waf: 'false' })).toThrow(
      'config waf="false" is not valid: prod always has WAF: only a sandbox stage may switch it off',
    );
  });

  it("caps a failed job's retry backoff at 5 minutes unless -c jobRetryMaxDelaySeconds says less", () => {
    expect(stageConfig('sandbox').jobRetryMaxDelaySeconds).toBe(300);
    expect(stageConfig('prod').jobRetryMaxDelaySeconds).toBe(300);
    expect(
      stageConfigFromContext((key) => ({ jobRetryMaxDelaySeconds: '1' })[key]).jobRetryMaxDelaySeconds,
    ).toBe(1);
  });

  it('builds any stage name on the sandbox profile, or on the profile -c profile names', () => {
    expect(stageConfig('alice')).toEqual({ ...stageConfig('sandbox'), stage: 'alice' });
    expect(stageConfig('prod-eu', { profile: 'prod' })).toEqual({ ...stageConfig('prod'), stage: 'prod-eu' });
    expect(stageConfigFromContext((key) => ({ stage: 'bob', profile: 'sandbox' })[key])).toMatchObject({
      stage: 'bob',
      sandbox: true,
    });
  });

  it.each([
    ['QA', 'use 2 to 20 lowercase letters'],
    ['1st', 'use 2 to 20 lowercase letters'],
    ['a-stage-name-far-too-long', 'use 2 to 20 lowercase letters'],
    ['local', "'local' names the local cloud in the CLIs"],
  ])('refuses the stage name %j saying what a stage name is', (stage, message) => {
    expect(() => stageConfig(stage)).toThrow(`config stage="${stage}" is not valid: `);
    expect(() => stageConfig(stage)).toThrow(message);
  });

  it('refuses an unknown profile naming the known ones', () => {
    expect(() => stageConfig('alice', { profile: 'staging' })).toThrow(
      'config profile="staging" is not valid: use one of sandbox, prod',
    );
  });
});
