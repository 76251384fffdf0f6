/**
 * Durations as operators write them in `TOKEN_TTL` and friends: whole seconds (`3600`), a number with a
 * unit (`45s`, `30m`, `12h`, `15d`, `2w`) or an ISO-8601 duration in days, weeks and time (`P15D`,
 * `PT12H`, `P1DT2H30M`, `P2W`). Years and months are refused: their length in seconds is ambiguous.
 */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 };
const UNIT_FORM = /^(\d+)\s*([smhdw])$/i;
const ISO_FORM =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Returns the duration in whole seconds, or `null` when `text` is not one of the accepted forms. */
export function parseDurationSeconds(text: string): number | null {
  const value = text.trim();
  if (/^\d+$/.test(value)) return checked(Number(value));
  const unit = UNIT_FORM.exec(value);
  if (unit) {
    const multiplier = UNIT_SECONDS[(unit[2] ?? "").toLowerCase()];
    return multiplier === undefined ? null : checked(Number(unit[1]) * multiplier);
  }
  const iso = ISO_FORM.exec(value);
  if (iso && /\d/.test(value) && !value.toUpperCase().endsWith("T")) {
    const [, weeks, days, hours, minutes, seconds] = iso;
    const total =
      part(weeks) * 604_800 + part(days) * 86_400 + part(hours) * 3_600 + part(minutes) * 60 + part(seconds);
    return checked(Math.floor(total));
  }
  return null;
}

function part(value: string | undefined): number {
  return value === undefined ? 0 : Number(value);
}

/** A duration must be positive and exact as an integer: zero would be useless, huge values unrepresentable. */
function checked(seconds: number): number | null {
  return Number.isSafeInteger(seconds * 1000) && seconds > 0 ? seconds : null;
}
