// Plain-text tables for terminal output, with optional ANSI colour per cell. Widths are
// measured on the text without escape codes, so coloured and plain output line up the same.

export type Colour = "red" | "green" | "yellow" | "dim" | "bold";

const CODES: Record<Colour, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  dim: [2, 22],
  bold: [1, 22],
};

export interface Cell {
  text: string;
  colour?: Colour;
}

export type Row = (string | Cell)[];

const cellOf = (value: string | Cell): Cell =>
  typeof value === "string" ? { text: value } : value;

/** Characters a terminal would interpret (escape sequences, line breaks) made harmless. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;

export function paint(text: string, colour: Colour | undefined, enabled: boolean): string {
  if (!enabled || colour === undefined) return text;
  const [open, close] = CODES[colour];
  return `\u001B[${open}m${text}\u001B[${close}m`;
}

/** Columns separated by two spaces; the last column is not padded. */
export function renderTable(header: string[], rows: Row[], options: { colour: boolean }): string {
  const cells = rows.map((row) =>
    row.map((value) => {
      const cell = cellOf(value);
      return { ...cell, text: cell.text.replace(CONTROL, " ") };
    }),
  );
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((row) => row[column]?.text.length ?? 0)),
  );
  const line = (row: Cell[], bold: boolean) => {
    // Trailing empty cells are dropped, so no line ends in spaces (or in empty colour codes).
    let end = row.length;
    while (end > 0 && row[end - 1]?.text === "") end--;
    return row
      .slice(0, end)
      .map((cell, column) => {
        const padded = column === end - 1 ? cell.text : cell.text.padEnd(widths[column] ?? 0);
        // Colour the text, not its padding: an empty cell stays plain spaces.
        const colour = bold ? "bold" : cell.colour;
        return paint(cell.text, colour, options.colour) + padded.slice(cell.text.length);
      })
      .join("  ");
  };
  return [
    line(
      header.map((text) => ({ text })),
      true,
    ),
    ...cells.map((row) => line(row, false)),
  ]
    .map((text) => `${text}\n`)
    .join("");
}

/** Cuts `text` to `max` characters with "…", so one long error cannot wrap the whole table. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** "just now", "5m ago", "in 3h", "2d ago": enough to read a status at a glance. */
export function relativeTime(iso: string | null, now: Date): string {
  if (iso === null) return "—";
  const ms = Date.parse(iso) - now.getTime();
  if (Number.isNaN(ms)) return iso;
  const abs = Math.abs(ms);
  if (abs < 45_000) return ms >= 0 ? "in <1m" : "just now";
  const units: [number, string][] = [
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
  ];
  const [size, unit] = units.find(([size]) => abs >= size) ?? [60_000, "m"];
  const amount = `${Math.round(abs / size)}${unit}`;
  return ms >= 0 ? `in ${amount}` : `${amount} ago`;
}
