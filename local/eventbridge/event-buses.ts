import { randomUUID } from 'node:crypto';
import type { LocalCloudModel } from '../model';
import { matchesEventPattern } from './event-pattern';
import { serviceOfArn, TARGET_DELIVERIES, type TargetServices } from './event-targets';
import {
  type BusDefinition,
  busNameOf,
  eventBridgeOfTemplate,
  type RuleDefinition,
  type TargetDefinition,
} from './rule-definitions';
import { targetInput } from './target-input';

/** One entry of PutEvents, as the API takes it. */
export interface PutEventsEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly EventBusName?: unknown;
  readonly Resources?: unknown;
  readonly Time?: unknown;
}

/** PutEvents' answer for one entry. */
export type PutEventsResult =
  | { readonly EventId: string }
  | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** Waits between delivery attempts: short locally (EventBridge backs off over up to 24 h), growing, capped. */
const retryDelayMs = (attempt: number) => Math.min(5_000, 100 * 2 ** attempt);

/**
 * The event buses of one cloud: the default bus and the template's, their rules, and delivery to the rules'
 * targets (with the target's input, its retry policy — attempts and event age — and its dead-letter queue, which
 * gets the event when every attempt failed). Events are delivered after PutEvents answers, as in AWS.
 */
export class EventBuses {
  private buses: BusDefinition[] = [];
  private rules: RuleDefinition[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly services: Omit<TargetServices, 'putOnBus'>) {}

  /** Reads (or re-reads) the template's buses and rules; returns the rules not served, with why. */
  load(model: LocalCloudModel): Array<{ readonly id: string; readonly reason: string }> {
    const { buses, rules, notServed } = eventBridgeOfTemplate(model);
    this.buses = buses;
    this.rules = rules;
    for (const rule of rules) {
      for (const target of rule.targets) {
        if (!TARGET_DELIVERIES[serviceOfArn(target.arn)]) {
          notServed.push({
            id: rule.id,
            reason: `target ${target.id} (${target.arn}) is not delivered locally`,
          });
        }
      }
    }
    return notServed;
  }

  /** The buses, for ListEventBuses and DescribeEventBus. */
  get busList(): readonly BusDefinition[] {
    return this.buses;
  }

  /** The rules, for ListRules. */
  get ruleList(): readonly RuleDefinition[] {
    return this.rules;
  }

  /** Validates and routes the entries of one PutEvents call. */
  put(entries: readonly PutEventsEntry[], region: string, account: string): PutEventsResult[] {
    return entries.map((entry) => {
      const failure = (message: string): PutEventsResult => ({
        ErrorCode: 'InvalidArgument',
        ErrorMessage: message,
      });
      if (typeof entry.Source !== 'string' || entry.Source === '')
        return failure('Parameter Source is not valid. Reason: Source is a required argument.');
      if (typeof entry.DetailType !== 'string' || entry.DetailType === '')
        return failure('Parameter DetailType is not valid. Reason: DetailType is a required argument.');
      if (typeof entry.Detail !== 'string')
        return failure('Parameter Detail is not valid. Reason: Detail is a required argument.');
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const busName = busNameOf(typeof entry.EventBusName === 'string' ? entry.EventBusName : undefined);
      if (!this.buses.some((bus) => bus.name === busName)) {
        return {
          ErrorCode: 'ResourceNotFoundException',
          ErrorMessage: `Event bus ${busName} does not exist.`,
        };
      }
      const time =
        typeof entry.Time === 'number'
          ? new Date(entry.Time * 1000)
          : typeof entry.Time === 'string'
            ? new Date(entry.Time)
            : new Date();
      const event: Record<string, unknown> = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account,
        time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region,
        resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
        detail,
      };
      this.route(busName, event);
      return { EventId: String(event.id) };
    });
  }

  /** Hands an event to every enabled rule of the bus whose pattern matches it. */
  route(busName: string, event: Record<string, unknown>): void {
    if (this.closed) return;
    for (const rule of this.rules) {
      if (rule.busName !== busName || !rule.enabled || !matchesEventPattern(rule.pattern, event)) continue;
      for (const target of rule.targets) this.track(this.deliver(rule, target, event));
    }
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(
    rule: RuleDefinition,
    target: TargetDefinition,
    event: Record<string, unknown>,
  ): Promise<void> {
    const delivery = TARGET_DELIVERIES[serviceOfArn(target.arn)];
    if (!delivery) return;
    const services: TargetServices = {
      ...this.services,
      putOnBus: async (busArn, next) => this.route(busNameOf(busArn), next),
    };
    let input: string;
    try {
      input = targetInput(target, event, { arn: rule.arn, name: rule.name });
    } catch (error) {
      this.services.log(`rule ${rule.id}: the input of target ${target.id} failed: ${String(error)}`);
      return;
    }
    const began = Date.now();
    let lastError: unknown;
    for (let attempt = 0; attempt <= target.maximumRetryAttempts && !this.closed; attempt++) {
      if (attempt > 0) {
        if ((Date.now() - began) / 1000 > target.maximumEventAgeSeconds) break;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs(attempt - 1)));
      }
      try {
        await delivery(target, input, event, services);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    if (this.closed) return;
    this.services.log(`rule ${rule.id}: target ${target.id} failed after its retries: ${String(lastError)}`);
    if (target.deadLetterArn) {
      await this.services
        .sendToQueue(target.deadLetterArn, JSON.stringify(event))
        .catch((error: unknown) =>
          this.services.log(`rule ${rule.id}: the dead-letter queue refused the event: ${String(error)}`),
        );
    }
  }

  /** Stops routing; deliveries waiting to retry give up, those in progress finish. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }
}
