/**
 * The encoder's and decoder's work stacks hold items of STRIDE slots in one
 * flat array (no object per item). Children are queued first to last, and the
 * stack pops the last pushed first: reversing the run of items a container
 * queued makes them pop in order.
 */
export const STRIDE = 4;

/** Reverses the STRIDE-wide items of `stack` from `start` up to `end` (exclusive). */
export function reverseItems(stack: unknown[], start: number, end: number): void {
  for (let i = start, j = end - STRIDE; i < j; i += STRIDE, j -= STRIDE) {
    for (let k = 0; k < STRIDE; k++) {
      const t = stack[i + k];
      stack[i + k] = stack[j + k];
      stack[j + k] = t;
    }
  }
}
