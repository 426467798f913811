// When two partners' titles name one story (model/story-title.ts): retitled copies match, while
// stories of one series, short generic titles and different stories with shared words do not.
import test from "ava";
import { sameStoryTitle, titleWords } from "../../src/model/story-title.js";

const same = (a: string, b: string) => sameStoryTitle(titleWords(a), titleWords(b));

const COPIES: [string, string][] = [
  [
    "Migrants stranded at sea as rescue ships are turned away",
    "Migrants stranded at sea as rescue ships are turned away | UN News",
  ],
  [
    "Migrants stranded at sea as rescue ships are turned away",
    "UPDATE: Migrants stranded at sea as rescue ships are turned away",
  ],
  [
    "Migrants stranded at sea as rescue ships are turned away",
    "MIGRANTS STRANDED AT SEA AS RESCUE SHIPS ARE TURNED AWAY - ReliefWeb",
  ],
  [
    "Réfugiés : l’accès à l’éducation reste limité au Tchad",
    "Refugies: l'acces a l'education reste limite au Tchad",
  ],
  [
    "Global report on trafficking in persons 2026 launched in Vienna",
    "Global Report on Trafficking in Persons 2026 launched in Vienna.",
  ],
  [
    "“Nowhere safe”: displaced families in Sudan face a second winter",
    '"Nowhere safe" - displaced families in Sudan face a second winter',
  ],
  [
    "تقرير جديد عن الهجرة غير النظامية في البحر المتوسط",
    "تقرير جديد عن الهجرة غير النظامية في البحر المتوسط | أخبار الأمم المتحدة",
  ],
  [
    "联合国报告：全球被迫流离失所人数创新高 2026 年",
    "联合国报告：全球被迫流离失所人数创新高 2026 年 - 联合国新闻",
  ],
];

const DIFFERENT: [string, string][] = [
  [
    "Sudan: Situation Report No. 12 on the humanitarian response",
    "Sudan: Situation Report No. 13 on the humanitarian response",
  ],
  [
    "Mediterranean migrant arrivals in 2025 reach record levels",
    "Mediterranean migrant arrivals in 2026 reach record levels",
  ],
  ["Press release", "Press release"],
  ["Statement by the spokesperson", "Statement by the spokesperson"],
  [
    "New study on labour migration in South-East Asia",
    "New study on human trafficking in South-East Asia",
  ],
  [
    "Floods displace thousands in Somalia, UNHCR warns",
    "Drought displaces thousands in Ethiopia, UNHCR warns",
  ],
];

for (const [a, b] of COPIES) {
  test(`a retitled copy matches: ${b}`, (t) => t.true(same(a, b)));
}
for (const [a, b] of DIFFERENT) {
  test(`different stories stay apart: ${a} / ${b}`, (t) => t.false(same(a, b)));
}

test("a long tail after a dash is part of the title, not a site name", (t) => {
  const words = titleWords(
    "Kenya - refugees in Kakuma camp describe the cuts to food rations this year",
  );
  t.true(words.words.has("kakuma"));
  t.true(words.words.has("kenya"));
});

test("an empty or missing title has no words and matches nothing", (t) => {
  t.is(titleWords(undefined).words.size, 0);
  t.false(same("", ""));
});

test("an ASCII title has the words and numbers the Unicode path finds for it", (t) => {
  const titles = [
    "U.S. pledges $3.5 million as 1,000 families flee: report",
    "COVID-19 in 1940s-style camps, v1.2.3 of the guidance",
    "It's Day Four: UNHCR's 'emergency' response | UN News",
    "Ratio 3:2 and time 10:30 - Press release",
    "UPDATE: Floods displace thousands (Situation Report No. 12)",
    "  tabs\tand\nnewlines   between  words  ",
  ];
  for (const title of titles) {
    // A lone combining mark folds away but sends the title down the Unicode path.
    const unicode = titleWords(`${title}\u0301`);
    const ascii = titleWords(title);
    t.deepEqual([...ascii.words], [...unicode.words], title);
    t.is(ascii.numbers, unicode.numbers, title);
  }
  t.deepEqual(
    [...titleWords("U.S. aid reaches 1,000 families").words],
    ["u.s", "aid", "reaches", "1,000", "families"],
  );
});
