import Ajv from 'ajv-draft-04';
import * as z from 'zod';
import { ingestEventSchema, isEventDateTime } from '../../services/event-projector/ingest-event-schema';

/** The gateway's model of POST /events exactly as infra/request-models.ts generates it, compiled as draft-04. */
const gatewayModel = new Ajv({ strict: false }).compile(
  (({ $schema: _ignored, ...schema }) => schema)(
    z.toJSONSchema(ingestEventSchema, { target: 'draft-04', io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >,
  ),
);
const body = (occurredAt: string) => ({ orderId: '01J0000000000000000000000A', type: 'shipped', occurredAt });

const impossible = [
  '2026-02-30T10:00:00Z',
  '2026-02-29T10:00:00Z',
  '2100-02-29T10:00:00Z',
  '2026-04-31T10:00:00Z',
  '2026-13-01T10:00:00Z',
  '0000-01-01T10:00:00Z',
  '9999-12-31T10:00:00Z',
  '1999-12-31T23:59:59Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01T10:00:00',
];
const real = [
  '2026-01-01T10:00:00Z',
  '2024-02-29T10:00:00Z',
  '2000-02-29T00:00:00Z',
  '2026-12-31T23:59:59.123456789+14:00',
  '2026-06-30T10:00:00-05:30',
  '2099-12-31T23:59:59Z',
];

describe('occurredAt of POST /events', () => {
  it.each(impossible)('is refused by the gateway model when it is %s', (occurredAt) => {
    expect(gatewayModel(body(occurredAt))).toBe(false);
    expect(JSON.stringify(gatewayModel.errors)).toContain('occurredAt');
    expect(isEventDateTime(occurredAt)).toBe(false);
  });

  it.each(real)('is accepted by the gateway model when it is %s', (occurredAt) => {
    expect(gatewayModel(body(occurredAt))).toBe(true);
    expect(isEventDateTime(occurredAt)).toBe(true);
  });

  it('agrees with the calendar on every day from 2000 to 2099 (pattern and date arithmetic alike)', () => {
    let disagreements = 0;
    for (let year = 2000; year <= 2099; year += 1) {
      for (let month = 1; month <= 12; month += 1) {
        for (let day = 1; day <= 31; day += 1) {
          const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const exists = new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day;
          if (gatewayModel(body(`${text}T12:00:00Z`)) !== exists) disagreements += 1;
        }
      }
    }
    expect(disagreements).toBe(0);
  });
});
