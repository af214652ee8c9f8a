import { JsonApiError, jsonApiHandler } from '../json-api-server';
import type { LocalService } from '../local-service';
import { loopbackServer } from '../loopback-server';
import type { LocalCloudModel } from '../model';
import { EventBuses, type PutEventsEntry } from './event-buses';
import { busNameOf } from './rule-definitions';

/** What EventBridge's targets reach besides functions. */
export interface EventBridgeServiceOptions {
  /** Sends to a queue by ARN (SQS targets and dead-letter queues). */
  readonly sendToQueue: (queueArn: string, body: string, messageGroupId?: string) => Promise<void>;
}

/**
 * EventBridge: the default bus and the template's buses and rules (event patterns, targets with their input,
 * retry policy and dead-letter queue), PutEvents and the read calls on one local endpoint
 * (`AWS_ENDPOINT_URL_EVENTBRIDGE`). Not emulated: scheduled rules, archives and replays, API destinations,
 * schema discovery, cross-account buses; bus policies are accepted, not enforced.
 */
export function eventBridgeService(options: EventBridgeServiceOptions): LocalService {
  return {
    name: 'eventbridge',
    resourceTypes: {
      emulated: ['AWS::Events::EventBus', 'AWS::Events::Rule'],
      notEmulated: {
        'AWS::Events::EventBusPolicy': 'bus policies are accepted but not enforced (no IAM locally)',
        'AWS::Events::Archive': 'archives and replays are not emulated',
        'AWS::Events::Connection': 'API destinations are not emulated',
        'AWS::Events::ApiDestination': 'API destinations are not emulated',
      },
    },
    async bind(context) {
      let buses: EventBuses | undefined;
      let model: LocalCloudModel | undefined;
      const running = () => {
        if (!buses || !model) throw new JsonApiError('ServiceUnavailable', 'EventBridge is starting', 503);
        return { buses, model };
      };
      const api = {
        PutEvents(input: Record<string, unknown>) {
          const { buses: all, model: m } = running();
          const entries = Array.isArray(input.Entries) ? (input.Entries as PutEventsEntry[]) : [];
          if (entries.length === 0 || entries.length > 10) {
            throw new JsonApiError(
              'ValidationException',
              `Entries must hold 1 to 10 events, got ${entries.length}`,
            );
          }
          const results = all.put(entries, m.region, m.accountId);
          return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
        },
        ListEventBuses() {
          return { EventBuses: running().buses.busList.map((bus) => ({ Name: bus.name, Arn: bus.arn })) };
        },
        DescribeEventBus(input: Record<string, unknown>) {
          const name = busNameOf(typeof input.Name === 'string' ? input.Name : undefined);
          const bus = running().buses.busList.find((b) => b.name === name);
          if (!bus) throw new JsonApiError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
          return { Name: bus.name, Arn: bus.arn };
        },
        ListRules(input: Record<string, unknown>) {
          const bus = busNameOf(typeof input.EventBusName === 'string' ? input.EventBusName : undefined);
          return {
            Rules: running()
              .buses.ruleList.filter((rule) => rule.busName === bus)
              .map((rule) => ({
                Name: rule.name,
                Arn: rule.arn,
                EventBusName: rule.busName,
                EventPattern: JSON.stringify(rule.pattern),
                State: rule.enabled ? 'ENABLED' : 'DISABLED',
              })),
          };
        },
      };
      const server = loopbackServer((req, res) => {
        jsonApiHandler({ AWSEvents: api })(req, res).catch((error: unknown) => {
          context.log(`internal error: ${String(error)}`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ __type: 'InternalException', message: 'internal error' }));
        });
      });
      const endpoint = await server.listen(context.servicePort(0));
      return {
        functionEnv: { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint },
        async start({ model: started, invoker, functionEnv }) {
          buses = new EventBuses({
            invoker,
            sendToQueue: options.sendToQueue,
            ...(functionEnv.AWS_ENDPOINT_URL_SNS ? { snsEndpoint: functionEnv.AWS_ENDPOINT_URL_SNS } : {}),
            ...(functionEnv.AWS_ENDPOINT_URL_SFN
              ? { stepFunctionsEndpoint: functionEnv.AWS_ENDPOINT_URL_SFN }
              : {}),
            region: started.region,
            credentials: context.credentials,
            log: context.log,
          });
          model = started;
          const notServed = buses.load(started).map(({ id, reason }) => ({
            type: 'AWS::Events::Rule',
            logicalIds: [id],
            reason,
          }));
          return {
            endpoints: [{ kind: 'EventBridge', name: 'eventbridge', url: endpoint }],
            notServed,
            reload: async (next) => {
              model = next.model;
              buses?.load(next.model);
              return { changed: ['buses and rules re-read'] };
            },
          };
        },
        async close() {
          await buses?.close();
          await server.close();
        },
      };
    },
  };
}
