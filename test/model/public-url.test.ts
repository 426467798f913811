// The public form of a source URL: what every feed, API answer, OPML list and log line shows.
import test from "ava";
import { publicSourceUrl, redactUrl, SECRET_QUERY_PARAMETERS } from "../../src/model/public-url.js";

test("redactUrl removes the userinfo and every secret-looking query parameter", (t) => {
  t.is(
    redactUrl("http://user:pass@partner.example/f.xml?apikey=K&lang=en"),
    "http://partner.example/f.xml?lang=en",
  );
  t.is(redactUrl("https://user@partner.example/f.xml"), "https://partner.example/f.xml");
  t.is(redactUrl("https://partner.example/f.xml?token=T"), "https://partner.example/f.xml");
});

test("redactUrl matches parameter names case-insensitively and percent-decoded", (t) => {
  t.is(
    redactUrl("https://p.example/f?ApiKey=1&API_KEY=2&Access_Token=3&a%70ikey=4&page=2"),
    "https://p.example/f?page=2",
  );
});

test("redactUrl knows every name of the issue's list", (t) => {
  t.deepEqual(
    [...SECRET_QUERY_PARAMETERS].sort(),
    [
      "access_token",
      "api_key",
      "apikey",
      "auth",
      "key",
      "password",
      "sig",
      "signature",
      "token",
    ].sort(),
  );
  for (const name of SECRET_QUERY_PARAMETERS) {
    t.is(redactUrl(`https://p.example/f?${name}=s3cret`), "https://p.example/f", name);
  }
});

test("redactUrl keeps other parameters byte for byte, in order, and the fragment", (t) => {
  t.is(
    redactUrl("https://p.example/f?q=a%20b+c&key=K&monkey=1&keys=2#top"),
    "https://p.example/f?q=a%20b+c&monkey=1&keys=2#top",
  );
});

test("a URL with nothing to remove comes back exactly as written", (t) => {
  for (const url of [
    "https://www.migrationpolicy.org/rss.xml",
    "HTTPS://Partner.example:443/a/../f.xml?q=1",
    "https://p.example/f?",
  ]) {
    t.is(redactUrl(url), url);
  }
});

test("text that is not a URL is redacted by its shape", (t) => {
  t.is(redactUrl("http://user:pass@[bad/f?apikey=K&x=1"), "http://[bad/f?x=1");
  t.is(redactUrl("not a url"), "not a url");
});

test("publicSourceUrl prefers the configured publicUrl, else the redacted url", (t) => {
  const url = "https://u:p@partner.example/feeds/SECRETPATH/rss?apikey=K";
  t.is(
    publicSourceUrl({ url, publicUrl: "https://partner.example/rss" }),
    "https://partner.example/rss",
  );
  t.is(publicSourceUrl({ url }), "https://partner.example/feeds/SECRETPATH/rss");
});
