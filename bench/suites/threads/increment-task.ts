/**
 * Worker module of the tiny-task measurement: as little work as a task can do, so the figure
 * is the pool's own per-task cost (dispatch, message round trip, bookkeeping). A default
 * export taking one argument, so that andon, piscina, tinypool and the hand-written loop all
 * load the very same function.
 */
export default function increment(x: number): number {
  return x + 1;
}
