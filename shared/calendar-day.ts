/**
 * Whether `day` (`YYYY-MM-DD`) names a day of the proleptic Gregorian calendar: `2026-02-30` and `2025-02-29` do
 * not, `2024-02-29` does. `Date.parse` alone is not enough: it rolls 30 February over into March.
 */
export function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const at = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().startsWith(day);
}
