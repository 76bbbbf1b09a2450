/**
 * Trip booking as a saga: flight, hotel, car. Each booked step records its
 * compensation; when a later step fails, the compensations run in reverse order
 * (cancel the hotel, then the flight) and the trip reports what was undone.
 *
 * Run: npx nwc run examples/trip-saga.ts bookTrip --input '{"id":"t1","failAt":"car"}'
 */
import { activity, orchestration } from "nwc";

export interface Trip {
  id: string;
  /** Which booking fails (for the demonstration): "flight", "hotel", "car" or none. */
  failAt?: "flight" | "hotel" | "car";
}

/**
 * The "outside world" of the example: bookings held by the fake providers,
 * and the log of every action in order. Activities may do I/O; this is theirs.
 */
export const providers = {
  booked: new Set<string>(),
  log: [] as string[],
};

function book(kind: "flight" | "hotel" | "car") {
  return async (trip: Trip) => {
    if (trip.failAt === kind) {
      providers.log.push(`${kind}:failed:${trip.id}`);
      throw new Error(`no ${kind} available for trip ${trip.id}`);
    }
    const ref = `${kind}-${trip.id}`;
    providers.booked.add(ref);
    providers.log.push(`${kind}:booked:${trip.id}`);
    return ref;
  };
}

function cancel(kind: "flight" | "hotel" | "car") {
  // Idempotent: activities run at least once, so a compensation may run again after a crash.
  return async (trip: Trip) => {
    providers.booked.delete(`${kind}-${trip.id}`);
    providers.log.push(`${kind}:cancelled:${trip.id}`);
    return true;
  };
}

export const bookFlight = activity("bookFlight", book("flight"));
export const bookHotel = activity("bookHotel", book("hotel"));
export const bookCar = activity("bookCar", book("car"));
export const cancelFlight = activity("cancelFlight", cancel("flight"));
export const cancelHotel = activity("cancelHotel", cancel("hotel"));
export const cancelCar = activity("cancelCar", cancel("car"));

export type TripResult =
  | { status: "booked"; refs: string[] }
  | { status: "cancelled"; reason: string; compensated: string[] };

export const bookTrip = orchestration("bookTrip", async (ctx, trip: Trip): Promise<TripResult> => {
  const saga = ctx.saga();
  try {
    const flight = await saga.step(bookFlight, trip, cancelFlight, trip);
    const hotel = await saga.step(bookHotel, trip, cancelHotel, trip);
    const car = await saga.step(bookCar, trip, cancelCar, trip);
    return { status: "booked", refs: [flight, hotel, car] };
  } catch (error) {
    const report = await saga.compensate();
    return { status: "cancelled", reason: (error as Error).message, compensated: report.compensated };
  }
});

export const app = [bookTrip, bookFlight, bookHotel, bookCar, cancelFlight, cancelHotel, cancelCar];
