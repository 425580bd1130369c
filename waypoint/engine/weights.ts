// Weighted choice among a route's destinations (rule 71): weights are relative (they need
// not sum to 100), a destination of weight 0 is never picked, and a single destination
// takes everything whatever its weight.

/**
 * One destination, with probability weight / sum(weights). `random` returns a number in
 * [0, 1) (Math.random, or a seeded generator in tests). Throws when there is nothing to
 * pick (an empty list, or several destinations all of weight 0): compileRouteTable
 * rejects both, so for a compiled table this cannot happen.
 */
export function pickWeighted<D extends { readonly weight: number }>(destinations: readonly D[], random: () => number): D {
  const only = destinations.length === 1 ? destinations[0] : undefined;
  if (only !== undefined) return only;
  let total = 0;
  for (const d of destinations) if (d.weight > 0) total += d.weight;
  if (total <= 0) throw new Error(`no destination to pick: ${destinations.length} destination(s), total weight ${total}`);
  const r = random() * total;
  let acc = 0;
  let last: D | undefined;
  for (const d of destinations) {
    if (!(d.weight > 0)) continue;
    acc += d.weight;
    last = d;
    if (r < acc) return d;
  }
  return last as D; // r rounded up to total
}
