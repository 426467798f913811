// Partner date strings → instants. Feeds carry RFC 822 dates (RSS), RFC 3339 / W3C-DTF dates
// (Atom, dc:date, JSON Feed) and a long tail of almost-formats: obsolete zone names, missing
// seconds, 2-digit years, asctime, JavaScript's Date#toString, Perforce's slashes, and a few
// localised CMS formats (Greek, Hungarian, Korean) that feedparser's vectors cover.
//
// Deliberately not `Date.parse`: its fallback grammar is implementation-defined and reads
// zone-less strings in local time. Everything here is explicit and zone-less means UTC.
// Unparseable → undefined; the caller falls back to first-seen time.

/** Offsets in minutes east of UTC. Ambiguous abbreviations take their most common feed meaning. */
const ZONES: Record<string, number> = {
  ut: 0,
  utc: 0,
  gmt: 0,
  z: 0,
  wet: 0,
  // RFC 822 North American zones; AT/ET/CT/MT/PT are the "generic" names, read as standard time.
  adt: -180,
  ast: -240,
  at: -240,
  edt: -240,
  est: -300,
  et: -300,
  cdt: -300,
  cst: -360,
  ct: -360,
  mdt: -360,
  mst: -420,
  mt: -420,
  pdt: -420,
  pst: -480,
  pt: -480,
  akst: -540,
  akdt: -480,
  hst: -600,
  nst: -210,
  ndt: -150,
  brt: -180,
  art: -180,
  // Europe
  bst: 60,
  ist: 330, // India, far more common in feeds than Irish/Israel time
  met: 60,
  mest: 120,
  cet: 60,
  cest: 120,
  west: 60,
  eet: 120,
  eest: 180,
  msk: 180,
  sast: 120,
  // Asia / Pacific
  wib: 420,
  sgt: 480,
  hkt: 480,
  pht: 480,
  awst: 480,
  jst: 540,
  kst: 540,
  acst: 570,
  aest: 600,
  aedt: 660,
  nzst: 720,
  nzdt: 780,
};

const MONTH_NAMES: [string, number][] = [
  ["jan", 1],
  ["january", 1],
  ["feb", 2],
  ["february", 2],
  ["mar", 3],
  ["march", 3],
  ["apr", 4],
  ["april", 4],
  ["may", 5],
  ["jun", 6],
  ["june", 6],
  ["jul", 7],
  ["july", 7],
  ["aug", 8],
  ["august", 8],
  ["sep", 9],
  ["sept", 9],
  ["september", 9],
  ["oct", 10],
  ["october", 10],
  ["nov", 11],
  ["november", 11],
  ["dec", 12],
  ["december", 12],
  // Spanish, Portuguese, French, German abbreviations (partner CMSs localise RFC 822 dates:
  // "Seg, 24 Set 2018 19:42:40 -0300"). None collides with an English name.
  ["ene", 1],
  ["fev", 2],
  ["févr", 2],
  ["fevr", 2],
  ["mär", 3],
  ["mrz", 3],
  ["mars", 3],
  ["abr", 4],
  ["avr", 4],
  ["mai", 5],
  ["juin", 6],
  ["juil", 7],
  ["ago", 8],
  ["août", 8],
  ["set", 9],
  ["okt", 10],
  ["out", 10],
  ["dic", 12],
  ["dez", 12],
  ["déc", 12],
  // Greek abbreviations as Greek CMSs write them (feedparser's table, accents and all).
  ["Ιαν", 1],
  ["Φεβ", 2],
  ["Μάώ", 3],
  ["Μαώ", 3],
  ["Απρ", 4],
  ["Μάι", 5],
  ["Μαϊ", 5],
  ["Μαι", 5],
  ["Ιούν", 6],
  ["Ιον", 6],
  ["Ιούλ", 7],
  ["Ιολ", 7],
  ["Αύγ", 8],
  ["Αυγ", 8],
  ["Σεπ", 9],
  ["Οκτ", 10],
  ["Νοέ", 11],
  ["Νοε", 11],
  ["Δεκ", 12],
];
const MONTHS = new Map(MONTH_NAMES.map(([name, month]) => [name.toLowerCase(), month]));

const HUNGARIAN_MONTHS: Record<string, number> = {
  január: 1,
  február: 2,
  március: 3,
  április: 4,
  május: 5,
  máujus: 5, // sic: the spelling a Hungarian blog engine emitted (feedparser keeps it too)
  június: 6,
  július: 7,
  augusztus: 8,
  szeptember: 9,
  október: 10,
  november: 11,
  december: 12,
};

const KOREA_OFFSET = 540;

interface Fields {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  millis?: number;
  /** Minutes east of UTC. */
  offset?: number;
}

const isLeap = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** RFC 5322 §4.3: two-digit years below 50 are 20xx, the rest 19xx. */
const expandYear = (digits: string): number =>
  digits.length === 2 ? (Number(digits) < 50 ? 2000 : 1900) + Number(digits) : Number(digits);

/** Builds the instant, or undefined when a field is out of range (day 99, 25 h, 61 min…). */
function instant(f: Fields): Date | undefined {
  const { year, month, day, hour = 0, minute = 0, millis = 0, offset = 0 } = f;
  // A leap second (:60) is kept inside its minute rather than rejected.
  const second = Math.min(f.second ?? 0, 59);
  if (!Number.isInteger(year) || year < 1 || year > 9999) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || (f.second ?? 0) > 60) return undefined;
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const time = date.getTime() - offset * 60_000;
  return Number.isFinite(time) ? new Date(time) : undefined;
}

const fractionToMillis = (digits: string | undefined): number =>
  digits ? Math.floor(Number(`0.${digits}`) * 1000) : 0;

/** `Z`, `±HH:MM`, `±HHMM`, `±HH`, or a zone name (optionally with an offset: `GMT-01:01`, `Etc/GMT`). */
function parseZone(token: string): number | undefined {
  const numeric = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(token);
  if (numeric) {
    const hours = Number(numeric[2]);
    const minutes = Number(numeric[3] ?? 0);
    if (hours > 23 || minutes > 59) return undefined;
    return (numeric[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
  }
  const named = /^(?:etc\/)?([a-z]+)(?:([+-])(\d{1,2})(?::?(\d{2}))?)?$/i.exec(token);
  if (!named?.[1]) return undefined;
  const name = named[1].toLowerCase();
  // Military letters: RFC 822 got their signs backwards, so RFC 5322 §4.3 says to read them
  // as -0000 (UTC). Unknown names are read as UTC too: a date a few hours off beats "now".
  const base = ZONES[name] ?? 0;
  if (named[2] === undefined) return base;
  const hours = Number(named[3]);
  const minutes = Number(named[4] ?? 0);
  if (hours > 23 || minutes > 59) return undefined;
  return base + (named[2] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

// --- ISO 8601 / RFC 3339 / W3C-DTF --------------------------------------------------------

type DateForm = {
  re: RegExp;
  fields: (m: RegExpExecArray) => Omit<Fields, "day"> & { day?: number; ordinal?: number };
  timeAllowed: boolean;
};

const num = (s: string | undefined): number => Number(s ?? Number.NaN);

/** Date parts ISO 8601 allows (and feedparser's vectors use), most specific first. */
const DATE_FORMS: DateForm[] = [
  // YYYY-0MM-DD: a three-digit month with a leading zero, seen in the wild.
  {
    re: /^(\d{4})-(0\d\d)-(\d\d)/,
    fields: (m) => ({ year: num(m[1]), month: num(m[2]), day: num(m[3]) }),
    timeAllowed: true,
  },
  {
    re: /^(\d{4})-(\d\d)-(\d\d)/,
    fields: (m) => ({ year: num(m[1]), month: num(m[2]), day: num(m[3]) }),
    timeAllowed: true,
  },
  {
    re: /^(\d{4})(\d\d)(\d\d)(?=T|$)/,
    fields: (m) => ({ year: num(m[1]), month: num(m[2]), day: num(m[3]) }),
    timeAllowed: true,
  },
  {
    re: /^(\d{4})-?(\d{3})(?=T|$)/,
    fields: (m) => ({ year: num(m[1]), month: 1, ordinal: num(m[2]) }),
    timeAllowed: true,
  },
  {
    re: /^(\d{4})-(\d\d)$/,
    fields: (m) => ({ year: num(m[1]), month: num(m[2]), day: 1 }),
    timeAllowed: false,
  },
  { re: /^(\d{4})$/, fields: (m) => ({ year: num(m[1]), month: 1, day: 1 }), timeAllowed: false },
  // Two-digit years (ISO 8601:1988): YY-MM-DD, YYMMDD, -YY-MM, -YYMM.
  {
    re: /^(\d\d)-?(\d\d)-?(\d\d)(?=T|\s|$)/,
    fields: (m) => ({ year: expandYear(m[1] ?? ""), month: num(m[2]), day: num(m[3]) }),
    timeAllowed: true,
  },
  {
    re: /^-(\d\d)-?(\d\d)$/,
    fields: (m) => ({ year: expandYear(m[1] ?? ""), month: num(m[2]), day: 1 }),
    timeAllowed: false,
  },
];

const TIME_PART =
  /^(?:T|\s+)(\d{1,2}):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?(?:\s*(Z|[+-]\d\d(?::?\d\d)?|[A-Za-z]{2,5}))?$/i;
const COMPACT_TIME_PART = /^T(\d\d)(\d\d)(\d\d)?(?:[.,](\d+))?(Z|[+-]\d\d(?::?\d\d)?)?$/i;

function parseIso(s: string): Date | undefined {
  for (const form of DATE_FORMS) {
    const m = form.re.exec(s);
    if (!m) continue;
    const { ordinal, ...parsed } = form.fields(m);
    let fields: Fields = { ...parsed, day: parsed.day ?? 1 };
    if (ordinal !== undefined) {
      if (ordinal < 1 || ordinal > (isLeap(fields.year) ? 366 : 365)) return undefined;
      const start = new Date(0);
      start.setUTCFullYear(fields.year, 0, ordinal);
      fields = { ...fields, month: start.getUTCMonth() + 1, day: start.getUTCDate() };
    }
    const rest = s.slice(m[0].length);
    if (rest === "") return instant(fields);
    if (!form.timeAllowed) continue;
    const t = TIME_PART.exec(rest) ?? COMPACT_TIME_PART.exec(rest);
    if (!t) continue;
    const offset = t[5] === undefined ? 0 : parseZone(t[5]);
    if (offset === undefined) return undefined;
    return instant({
      ...fields,
      hour: num(t[1]),
      minute: num(t[2]),
      second: t[3] === undefined ? 0 : num(t[3]),
      millis: fractionToMillis(t[4]),
      offset,
    });
  }
  return undefined;
}

// --- RFC 822 and relatives (token based) ----------------------------------------------------

const TIME_TOKEN = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d+))?)?$/;

/**
 * RFC 822/2822 and the shapes that drift from it: `Thu, 01 Jan 04 19:48:21 GMT`,
 * `Mon, 13 Feb, 2012 06:28`, `Sun Jan  4 16:29:06 2004` (asctime), `Sun Jul 15 01:16:00 +0000 2012`
 * (Twitter), `Thu Aug 30 2012 17:26:16 +0200` (JavaScript), `Fri, 2006/09/15 08:19:53 EDT`.
 * Every token must be understood, otherwise the date is rejected.
 */
function parseRfc822Like(s: string): Date | undefined {
  const tokens = s
    .replace(/\([^()]*\)/g, " ") // `… +0200 (CEST)` comments
    .replace(/,/g, " ")
    .split(/\s+/)
    .filter((token) => token !== "");
  // A leading weekday, in whatever language (`Seg,` `Κυρ,` `Thu`): its value is never needed.
  // French "mar." (mardi) is also a month name; it is a weekday when another month follows.
  const monthName = (token: string): boolean => MONTHS.has(token.toLowerCase().replace(/\.$/, ""));
  const first = tokens[0]?.replace(/\.$/, "");
  if (first && /^\p{L}+$/u.test(first) && (!monthName(first) || tokens.slice(1).some(monthName))) {
    tokens.shift();
  }

  let month: number | undefined;
  let time: RegExpExecArray | undefined;
  let offset: number | undefined;
  let slashDate: number[] | undefined;
  const numbers: string[] = [];
  let monthIndex = -1;
  for (const token of tokens) {
    const lower = token.toLowerCase().replace(/\.$/, "");
    const timeMatch = TIME_TOKEN.exec(token);
    const slash = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(token);
    if (month === undefined && MONTHS.has(lower)) {
      month = MONTHS.get(lower);
      monthIndex = numbers.length;
    } else if (timeMatch && time === undefined) {
      time = timeMatch;
    } else if (slash && slashDate === undefined) {
      slashDate = [num(slash[1]), num(slash[2]), num(slash[3])];
    } else if (/^\d{1,4}$/.test(token)) {
      numbers.push(token);
    } else if (offset === undefined && time !== undefined) {
      offset = parseZone(token);
      if (offset === undefined) return undefined;
    } else {
      return undefined;
    }
  }

  let fields: Fields;
  if (slashDate) {
    if (month !== undefined || numbers.length > 0) return undefined;
    fields = { year: slashDate[0] ?? 0, month: slashDate[1] ?? 0, day: slashDate[2] ?? 0 };
  } else {
    if (month === undefined || numbers.length !== 2) return undefined;
    const [a = "", b = ""] = numbers;
    // A 3-4 digit number is the year; otherwise the number before the month is the day
    // (`01 Jan 04`), or the first one after it (`Jan 4 2004`, `Aug 30 12`).
    let dayToken = a;
    let yearToken = b;
    if (a.length >= 3 && b.length <= 2) [dayToken, yearToken] = [b, a];
    else if (a.length <= 2 && b.length <= 2 && monthIndex === 0) [dayToken, yearToken] = [a, b];
    if (dayToken.length > 2 || yearToken.length === 1) return undefined;
    fields = { year: expandYear(yearToken), month, day: Number(dayToken) };
  }
  if (time) {
    fields.hour = num(time[1]);
    fields.minute = num(time[2]);
    fields.second = time[3] === undefined ? 0 : num(time[3]);
    fields.millis = fractionToMillis(time[4]);
  }
  fields.offset = offset ?? 0;
  return instant(fields);
}

// --- Localised CMS formats ------------------------------------------------------------------

/** Korean blog engines: `2004년 05월 28일  01:31:15` (OnBlog) and `2004-05-25 오후 11:23:17` (Nate), in KST. */
function parseKorean(s: string): Date | undefined {
  const onblog = /^(\d{4})년\s*(\d{1,2})월\s*(\d{1,2})일\s+(\d{1,2}):(\d{2}):(\d{2})$/.exec(s);
  if (onblog) {
    const [, y, mo, d, h, mi, se] = onblog;
    return instant({
      year: num(y),
      month: num(mo),
      day: num(d),
      hour: num(h),
      minute: num(mi),
      second: num(se),
      offset: KOREA_OFFSET,
    });
  }
  const nate = /^(\d{4})-(\d{2})-(\d{2})\s+(오전|오후)\s+(\d{1,2}):(\d{2}):(\d{2})$/.exec(s);
  if (nate) {
    const [, y, mo, d, half, h, mi, se] = nate;
    const hour = (num(h) % 12) + (half === "오후" ? 12 : 0);
    return instant({
      year: num(y),
      month: num(mo),
      day: num(d),
      hour,
      minute: num(mi),
      second: num(se),
      offset: KOREA_OFFSET,
    });
  }
  return undefined;
}

/** `2004-július-13T9:15-05:00`: W3C-DTF with the month spelled out in Hungarian. */
function parseHungarian(s: string): Date | undefined {
  const m =
    /^(\d{4})-(\p{L}+)-(\d{1,2})T(\d{1,2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/u.exec(s);
  const month = m?.[2] === undefined ? undefined : HUNGARIAN_MONTHS[m[2].toLowerCase()];
  if (!m || month === undefined) return undefined;
  const offset = m[7] === undefined ? 0 : parseZone(m[7]);
  if (offset === undefined) return undefined;
  return instant({
    year: num(m[1]),
    month,
    day: num(m[3]),
    hour: num(m[4]),
    minute: num(m[5]),
    second: m[6] === undefined ? 0 : num(m[6]),
    offset,
  });
}

/**
 * Parses a partner date string into an instant. Undefined for missing, empty, malformed or
 * out-of-range input (the caller substitutes the first-seen time).
 */
export function parseDate(raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const s = raw.replace(/\s+/g, " ").trim();
  if (s === "" || s.length > 100) return undefined;
  return parseIso(s) ?? parseKorean(s) ?? parseHungarian(s) ?? parseRfc822Like(s);
}
