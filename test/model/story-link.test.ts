// The matching key of a story's link (model/story-link.ts): what two partners' links to one
// article share, and what keeps two different articles apart.
import test from "ava";
import { doiOf, storyLinkKey } from "../../src/model/story-link.js";

const same = [
  {
    name: "campaign and click parameters",
    links: [
      "https://news.un.org/en/story/2026/03/1160001",
      "https://news.un.org/en/story/2026/03/1160001?utm_source=rss&utm_medium=feed&utm_campaign=x",
      "https://news.un.org/en/story/2026/03/1160001?mtm_campaign=rss&mtm_kwd=migration",
      "https://news.un.org/en/story/2026/03/1160001?fbclid=IwAR0abc&gclid=Cj0K&mc_cid=5&mc_eid=9",
      "https://news.un.org/en/story/2026/03/1160001?ref=reliefweb&pk_campaign=feed",
    ],
  },
  {
    name: "scheme, www., default port, fragment and trailing slash",
    links: [
      "http://www.iom.int/news/report-on-migrants-missing/",
      "https://iom.int/news/report-on-migrants-missing",
      "https://iom.int:443/news/report-on-migrants-missing#main",
      "http://IOM.int:80/news/report-on-migrants-missing/#top",
    ],
  },
  {
    name: "a DOI in its URL forms and on the publisher's page",
    links: [
      "https://doi.org/10.1080/13691830.2025.1234567",
      "http://dx.doi.org/10.1080/13691830.2025.1234567",
      "doi:10.1080/13691830.2025.1234567",
      "https://www.tandfonline.com/doi/full/10.1080/13691830.2025.1234567",
      "https://www.tandfonline.com/doi/abs/10.1080/13691830.2025.1234567?src=recsys",
      "https://onlinelibrary.example.com/action/showCitFormats?doi=10.1080%2F13691830.2025.1234567",
      "https://doi.org/10.1080/13691830.2025.1234567.",
    ],
  },
  {
    name: "the query's order",
    links: ["https://x.example/search?a=1&b=2", "https://x.example/search?b=2&a=1&utm_source=x"],
  },
];

for (const { name, links } of same) {
  test(`one key despite ${name}`, (t) => {
    const keys = new Set(links.map((link) => storyLinkKey(link)));
    t.is(keys.size, 1, [...keys].join(" | "));
    t.truthy([...keys][0]);
  });
}

test("different stories keep different keys", (t) => {
  const links = [
    "https://news.un.org/en/story/2026/03/1160001",
    "https://news.un.org/en/story/2026/03/1160002",
    "https://news.un.org/fr/story/2026/03/1160001",
    // A query that names the page is kept.
    "https://reliefweb.int/node?id=41",
    "https://reliefweb.int/node?id=42",
    "https://unhcr.org/news/report",
    "https://news.unhcr.org/news/report",
    "https://x.example:8080/a",
    "https://x.example/a",
    "https://doi.org/10.1080/13691830.2025.1234567",
    "https://doi.org/10.1080/13691830.2025.1234568",
  ];
  t.is(new Set(links.map((link) => storyLinkKey(link))).size, links.length);
});

test("DOIs are matched case-insensitively and read from publisher paths", (t) => {
  t.is(doiOf("https://doi.org/10.1093/IMR/ABC123"), "10.1093/imr/abc123");
  t.is(
    doiOf("https://journals.sagepub.com/doi/10.1177/01979183251234567"),
    "10.1177/01979183251234567",
  );
  t.is(doiOf("https://onlinelibrary.wiley.com/doi/epdf/10.1111/imig.13000"), "10.1111/imig.13000");
  t.is(doiOf("https://news.un.org/en/story/2026/03/1160001"), undefined);
  t.is(doiOf("https://example.org/10.1080/not-under-doi"), undefined, "a path that is no DOI path");
  t.is(doiOf(undefined), undefined);
});

test("what is not an absolute http(s) link has no key", (t) => {
  for (const link of [
    undefined,
    "",
    "   ",
    "/relative/path",
    "mailto:desk@un.org",
    "javascript:alert(1)",
    "ftp://x.example/a",
  ]) {
    t.is(storyLinkKey(link), undefined, String(link));
  }
});
