import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { applyRestStageCanary } from '../../infra/rest-stage-canary';
import { appTemplates } from './app';

type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; DependsOn?: string[] }
>;

function restStage(template: Template) {
  const stages = Object.values(template.findResources('AWS::ApiGateway::Stage'));
  const stage = stages.find((s) => JSON.stringify(s.Properties.RestApiId).includes('RestApi'));
  if (!stage) throw new Error('no REST stage');
  return stage.Properties as Record<string, unknown>;
}

function deployments(template: Template): Resources {
  return template.findResources('AWS::ApiGateway::Deployment') as Resources;
}

const refOf = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref;

describe.each(['sandbox', 'prod'])('the %s REST stage', (stage) => {
  describe('without a canary configured', () => {
    let template: Template;
    beforeAll(() => {
      template = appTemplates(stage).statelessTemplate;
    });

    it('has no canary and serves the latest deployment, which CloudFormation replaces as usual', () => {
      const props = restStage(template);
      expect(props.CanarySetting).toBeUndefined();
      const all = deployments(template);
      expect(Object.keys(all)).toHaveLength(1);
      const [id, latest] = Object.entries(all)[0] ?? [];
      expect(refOf(props.DeploymentId)).toBe(id);
      expect(latest?.DeletionPolicy).toBeUndefined();
    });
  });

  describe('with -c restCanaryPercent=10 -c restCanaryStageVariables=release=canary', () => {
    let template: Template;
    beforeAll(() => {
      template = appTemplates(stage, {
        restCanaryPercent: '10',
        restCanaryStageVariables: 'release=canary',
      }).statelessTemplate;
    });

    it('sends 10 % of requests, with the overrides and without the base cache, to the latest deployment', () => {
      const props = restStage(template);
      const latestId = Object.entries(deployments(template)).find(
        ([, d]) => !String(d.Properties.Description).startsWith('base release'),
      )?.[0];
      expect(props.CanarySetting).toEqual({
        DeploymentId: { Ref: latestId },
        PercentTraffic: 10,
        StageVariableOverrides: { release: 'canary' },
        UseStageCache: false,
      });
    });

    it('keeps the base on a deployment of its own that later deploys leave where promotion put it', () => {
      const props = restStage(template);
      const all = deployments(template);
      const baseId = refOf(props.DeploymentId);
      const canaryId = refOf((props.CanarySetting as Record<string, unknown>).DeploymentId);
      expect(baseId).toBeDefined();
      expect(baseId).not.toBe(canaryId);
      const base = all[baseId ?? ''];
      // A fixed logical id (no content hash) and nothing that changes with the API: never replaced.
      expect(baseId).toMatch(/^RestApiCanaryBaseDeployment[0-9A-F]{8}$/);
      expect(Object.keys(base?.Properties ?? {}).sort()).toEqual(['Description', 'RestApiId']);
      // Created after the latest deployment, so after every method exists.
      expect(base?.DependsOn).toContain(canaryId);
    });

    it('retains deployments the template drops, since a promoted one is what the stage serves', () => {
      for (const deployment of Object.values(deployments(template))) {
        expect(deployment.DeletionPolicy).toBe('Retain');
      }
    });
  });
});

describe('applyRestStageCanary', () => {
  it('rejects a percentage outside (0, 100] with the fix', () => {
    const api = new apigw.RestApi(new Stack(new App()), 'Api');
    api.root.addMethod('GET');
    expect(() => applyRestStageCanary(api, { percentTraffic: 150, stageVariableOverrides: {} })).toThrow(
      /percentTraffic=150 .*above 0 and at most 100/,
    );
  });
});
