import test from "ava";
import { httpUrl, xmlSafeText } from "../../src/publish/clean.js";

test("xmlSafeText removes XML-illegal characters and keeps everything else", (t) => {
  t.is(xmlSafeText("a\u0000b\u0001\u0008c\u000B\u000Cd\u000E\u001Fe"), "abcde");
  t.is(xmlSafeText("x\uFFFEy\uFFFFz"), "xyz");
  t.is(xmlSafeText("lone \uD800high \uDFFFlow"), "lone high low");
  t.is(xmlSafeText("pair 😀 \uD83D\uDE00"), "pair 😀 😀");
  t.is(xmlSafeText("tab\there é ü \u0085 \u007F"), "tab\there é ü \u0085 \u007F");
});

test("xmlSafeText normalises CR LF and lone CR to LF", (t) => {
  t.is(xmlSafeText("a\r\nb\rc\nd"), "a\nb\nc\nd");
});

test("httpUrl accepts absolute http(s) URLs only and normalises them", (t) => {
  t.is(httpUrl("https://Example.org/a b?x=1&y=<2>"), "https://example.org/a%20b?x=1&y=%3C2%3E");
  t.is(httpUrl(" http://example.org "), "http://example.org/");
  t.is(httpUrl("javascript:alert(1)"), undefined);
  t.is(httpUrl("/relative"), undefined);
  t.is(httpUrl("mailto:a@b"), undefined);
  t.is(httpUrl(undefined), undefined);
});
