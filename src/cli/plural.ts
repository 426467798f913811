// Counts in sentences an operator reads: "1 category", "2 categories", "0 sources".

/** `n` followed by the noun in the number it needs (English: singular only for exactly 1). */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
