/**
 * Tells the codec where a frame keeps the engine's own records (see frame.ts):
 * the frame, its tables, task, waiter, combinator, branch, generator, region,
 * op, scope, saga, lock and seed records. Only the engine and compiled step
 * functions touch them, with plain assignments (user code can name none of
 * them), so they never hold a getter, a symbol key or a special attribute,
 * and `encodeFrame` need not look for one (runtime/codec/registry.ts). The
 * user values they hold (locals, results, op values) are checked as usual.
 *
 * A shape, not a list of the records of each frame: an encode follows it as
 * it walks the frame, where building a set of every record cost an
 * allocation per record on every step.
 *
 * Invariant: a record is reachable only from its place in the shape, never as
 * a user value (a combinator's `vals` is a record only while the combinator
 * is pending: once settled, the array is the user's result, kept in `v`).
 */
import { registerFrameShape, type RecordShape } from "../codec.ts";
import { isFrameData } from "./frame.ts";

/** An array record whose items are numbers or user values (a scope chain, a region, an op, a seed). */
const LIST: RecordShape = {};
/** A record whose every property is a user value (a scope's locals), or a list of them. */
const DATA: RecordShape = {};
/** A list of entity ids ({ name, key }), each a record. */
const ENTITY_IDS: RecordShape = { each: DATA };

const GENERATOR: RecordShape = { fields: { trys: { each: LIST }, ops: { each: LIST } } };
const ACTIVATION = { sc: LIST, g: GENERATOR };

const TASK: RecordShape = { fields: { w: { each: LIST }, c: { fields: { vals: LIST } }, lock: ENTITY_IDS } };
const BRANCH: RecordShape = { fields: { ...ACTIVATION, d: { each: { fields: ACTIVATION } } } };

const FRAME: RecordShape = {
  fields: {
    tasks: { each: TASK },
    branches: { each: BRANCH },
    scopes: { each: DATA },
    sagas: { each: { each: DATA } },
    locks: { each: ENTITY_IDS },
    rng: LIST,
  },
};

registerFrameShape(isFrameData, FRAME);
