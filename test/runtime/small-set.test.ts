// The collector's set (runtime/engine/small-set.ts): the same answers as a Set below and past
// the size where it moves its items from an array to a Set, and empty after clear().
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SmallSet } from "../../runtime/engine/small-set.ts";

test("answers as a Set does, for 0 to 40 items, numbers and objects, across clears", () => {
  const set = new SmallSet<unknown>();
  for (let n = 0; n <= 40; n++) {
    const items: unknown[] = Array.from({ length: n }, (_, i) => (i % 2 ? { i } : i));
    for (const item of items) {
      assert.not.ok(set.has(item));
      set.add(item);
      assert.ok(set.has(item));
    }
    for (const item of items) assert.ok(set.has(item), `item ${String(item)} of ${n}`);
    assert.not.ok(set.has(n + 1000), "a number never added");
    assert.not.ok(set.has({ i: 0 }), "another object with the same contents");
    set.clear();
    for (const item of items) assert.not.ok(set.has(item), `cleared, item of ${n}`);
  }
});

test.run();
