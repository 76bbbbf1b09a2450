/**
 * Aggregator fed by signals: devices send readings to their `Sensor` entity
 * (fire and forget, `client.signal`); each sensor forwards every reading to one
 * `Aggregate` entity with `ectx.signal`, and starts an `alert` orchestration
 * (`ectx.start`) for a reading above its threshold. Signals from one sender
 * arrive in order and exactly once, so the aggregate's count equals the number
 * of readings sent.
 *
 * Run: see test/entities/examples.test.ts, or signal from a client:
 *   client.signal(sensor, "d1", "reading", 42)
 */
import { entity, orchestration } from "nwc";

export interface SensorState {
  last?: number;
  readings: number;
  alerts: number;
  threshold: number;
}

export interface AggregateState {
  count: number;
  sum: number;
  min?: number;
  max?: number;
  /** Last reading per device: shows per-sender order (the last one sent wins). */
  lastByDevice: Record<string, number>;
}

export const aggregate = entity("Aggregate", {
  init: (): AggregateState => ({ count: 0, sum: 0, lastByDevice: {} }),
  ops: {
    record: (s: AggregateState, r: { device: string; value: number }) => {
      s.count += 1;
      s.sum += r.value;
      s.min = s.min === undefined ? r.value : Math.min(s.min, r.value);
      s.max = s.max === undefined ? r.value : Math.max(s.max, r.value);
      s.lastByDevice[r.device] = r.value;
    },
    summary: (s: AggregateState) => ({ count: s.count, sum: s.sum, min: s.min, max: s.max }),
  },
});

/** Default alert threshold of a sensor. */
const DEFAULT_THRESHOLD = 100;

export const alert = orchestration("alert", async (ctx, a: { device: string; value: number }) => {
  return `device ${a.device} read ${a.value}`;
});

export const sensor = entity("Sensor", {
  init: (): SensorState => ({ readings: 0, alerts: 0, threshold: DEFAULT_THRESHOLD }),
  ops: {
    reading: (s: SensorState, value: number, ectx) => {
      s.last = value;
      s.readings += 1;
      ectx.signal(aggregate, "all").record({ device: ectx.id.key, value });
      if (value > s.threshold) {
        s.alerts += 1;
        ectx.start(alert, { device: ectx.id.key, value }, { instanceId: `alert-${ectx.id.key}-${s.alerts}` });
      }
    },
    setThreshold: (s: SensorState, threshold: number) => {
      s.threshold = threshold;
    },
  },
});

/** Reads the aggregate from an orchestration. */
export const summarize = orchestration("summarize", async (ctx) => {
  return await ctx.entity(aggregate, "all").summary();
});

export const app = [aggregate, sensor, alert, summarize];
