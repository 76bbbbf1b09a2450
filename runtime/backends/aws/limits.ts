/**
 * The service limits the aws backend stays within, each named with where it
 * comes from. Invariant: every request this backend builds respects these; a
 * payload that cannot be made to fit is refused with an error naming the limit.
 */

/** Kinesis PutRecords: at most 500 records per call (AWS service quota). */
export const PUT_RECORDS_MAX_RECORDS = 500;
/** Kinesis PutRecords: at most 5 MiB per call, data plus partition keys. */
export const PUT_RECORDS_MAX_BYTES = 5 * 1024 * 1024;
/** Kinesis: one record's data plus partition key at most 1 MiB. */
export const KINESIS_RECORD_MAX_BYTES = 1024 * 1024;
/** Kinesis GetRecords: at most 10,000 records per call. */
export const GET_RECORDS_MAX_RECORDS = 10_000;
/** Kinesis GetRecords: 5 calls per second per shard, so one call per 200 ms per shard. */
export const GET_RECORDS_MIN_INTERVAL_MS = 200;

/** DynamoDB: an item (names plus values) at most 400 KB. */
export const DYNAMO_ITEM_MAX_BYTES = 400 * 1024;
/**
 * Bytes of payload we put in one item chunk: 400 KB minus room for the key
 * attributes and bookkeeping (partition, sort key, chunk count, version, token).
 */
export const DYNAMO_CHUNK_BYTES = 350 * 1024;
/** DynamoDB TransactWriteItems: at most 100 actions. */
export const TRANSACT_MAX_ACTIONS = 100;
/** DynamoDB TransactWriteItems: at most 4 MB in total; we keep a 10% margin for keys and expressions. */
export const TRANSACT_MAX_BYTES = Math.floor(4 * 1024 * 1024 * 0.9);
/** DynamoDB BatchWriteItem: at most 25 put or delete requests. */
export const BATCH_WRITE_MAX_ITEMS = 25;
