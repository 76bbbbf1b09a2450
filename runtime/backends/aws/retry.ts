/**
 * The one retry policy of the aws backend: capped exponential backoff with full
 * jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"), bounded by
 * a number of attempts. Invariant: only errors that are known to leave nothing
 * half-done, or whose repetition is harmless (idempotent writes, de-duplicated
 * sends, commits carrying a token), are retried; everything else propagates.
 */

export interface RetryPolicy {
  /** Total attempts, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * 10 attempts with delays up to 2 s: about 8 s of worst-case waiting, long
 * enough to ride out a throttling burst (DynamoDB adaptive capacity reacts in
 * seconds) and short enough that a host notices a real outage quickly.
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 25, maxDelayMs: 2000 };

/** Names of errors that mean "try again later" on Kinesis and DynamoDB. */
const RETRYABLE_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "Throttling",
  "RequestLimitExceeded",
  "TransactionConflictException",
  "TransactionInProgressException",
  "LimitExceededException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "KMSThrottlingException",
]);

/** Cancellation reasons of a TransactWriteItems that are transient, not a failed condition. */
const RETRYABLE_CANCELLATION_CODES = new Set(["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"]);

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ECONNABORTED"]);

export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $retryable?: unknown; CancellationReasons?: { Code?: string }[] } | null;
  if (!e || typeof e !== "object") return false;
  if (e.name === "TransactionCanceledException") {
    const codes = (e.CancellationReasons ?? []).map((r) => r.Code ?? "None");
    return codes.some((c) => RETRYABLE_CANCELLATION_CODES.has(c)) && !codes.includes("ConditionalCheckFailed");
  }
  if (e.name && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  return e.$retryable !== undefined && e.$retryable !== null;
}

export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * cap);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `op` until it succeeds, retrying retryable errors with jittered backoff;
 * the last error is rethrown once `policy.maxAttempts` is spent, with what was tried.
 */
export async function withRetry<T>(what: string, op: (attempt: number) => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op(attempt);
    } catch (error) {
      if (!isRetryable(error)) throw error;
      if (attempt + 1 >= policy.maxAttempts) {
        const e = error as Error;
        e.message = `${what}: still failing after ${policy.maxAttempts} attempts: ${e.message}`;
        throw e;
      }
      await sleep(backoffDelayMs(policy, attempt));
    }
  }
}
