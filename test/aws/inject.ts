/**
 * Fault injection and request counting for the aws backend tests, through the
 * SDK's own middleware stack (`client.middlewareStack.add`): the requests still
 * go to the real emulators; the middleware only drops, fails or counts them.
 */
import type { PutRecordsCommandInput, PutRecordsCommandOutput } from "@aws-sdk/client-kinesis";

type Stack = { middlewareStack: { add: (mw: any, options: any) => void; remove: (name: string) => boolean } };

let counter = 0;

/** Counts requests per command name (e.g. "PutRecordsCommand"); returns the counts and a remover. */
export function countRequests(client: Stack): { counts: Map<string, number>; remove(): void } {
  const name = `nwcCount${++counter}`;
  const counts = new Map<string, number>();
  client.middlewareStack.add((next: any, context: any) => async (args: any) => {
    counts.set(context.commandName, (counts.get(context.commandName) ?? 0) + 1);
    return next(args);
  }, { step: "initialize", name });
  return { counts, remove: () => void client.middlewareStack.remove(name) };
}

/** Throws `makeError()` instead of sending the first `n` requests of `commandName`. */
export function failFirst(client: Stack, commandName: string, n: number, makeError: () => Error): { failed(): number; remove(): void } {
  const name = `nwcFail${++counter}`;
  let failed = 0;
  client.middlewareStack.add((next: any, context: any) => async (args: any) => {
    if (context.commandName === commandName && failed < n) {
      failed++;
      throw makeError();
    }
    return next(args);
  }, { step: "initialize", name });
  return { failed: () => failed, remove: () => void client.middlewareStack.remove(name) };
}

/** Sends the request, then throws `makeError()` as if the answer was lost (the write DID happen), for the first `n` requests. */
export function loseAnswer(client: Stack, commandName: string, n: number, makeError: () => Error): { lost(): number; remove(): void } {
  const name = `nwcLose${++counter}`;
  let lost = 0;
  client.middlewareStack.add((next: any, context: any) => async (args: any) => {
    const out = await next(args);
    if (context.commandName === commandName && lost < n) {
      lost++;
      throw makeError();
    }
    return out;
  }, { step: "initialize", name });
  return { lost: () => lost, remove: () => void client.middlewareStack.remove(name) };
}

/**
 * Partial PutRecords failures as Kinesis reports them: records chosen by
 * `reject(index, attemptNo)` are NOT sent; the answer lists them with
 * ErrorCode ProvisionedThroughputExceededException at their original index.
 */
export function partialPutRecords(client: Stack, reject: (index: number, call: number) => boolean): { rejected(): number; remove(): void } {
  const name = `nwcPartial${++counter}`;
  let rejected = 0;
  let call = 0;
  client.middlewareStack.add((next: any, context: any) => async (args: any) => {
    if (context.commandName !== "PutRecordsCommand") return next(args);
    const input = args.input as PutRecordsCommandInput;
    const thisCall = call++;
    const keep: number[] = [];
    input.Records!.forEach((_, i) => (reject(i, thisCall) ? rejected++ : keep.push(i)));
    if (keep.length === input.Records!.length) return next(args);
    let sent: PutRecordsCommandOutput["Records"] = [];
    let output: any = { $metadata: {}, FailedRecordCount: 0, Records: [] };
    if (keep.length > 0) {
      const result = await next({ ...args, input: { ...input, Records: keep.map((i) => input.Records![i]) } });
      output = result.output;
      sent = output.Records;
    }
    const records = input.Records!.map(() => ({ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard (injected)" }) as any);
    keep.forEach((i, k) => (records[i] = sent![k]));
    return { output: { ...output, Records: records, FailedRecordCount: records.filter((r: any) => r.ErrorCode).length }, response: {} };
  }, { step: "initialize", name });
  return { rejected: () => rejected, remove: () => void client.middlewareStack.remove(name) };
}
