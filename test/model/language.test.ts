import test from "ava";
import {
  canonicalLanguage,
  isRightToLeft,
  languageIndex,
  matchesLanguage,
  primaryLanguage,
} from "../../src/model/language.js";

test("canonicalLanguage spells tags the BCP 47 way and drops what is not a tag", (t) => {
  t.is(canonicalLanguage("EN-us"), "en-US");
  t.is(canonicalLanguage("pt_BR"), "pt-BR");
  t.is(canonicalLanguage("zh-hans"), "zh-Hans");
  t.is(canonicalLanguage(" fr "), "fr");
  t.is(canonicalLanguage("ar"), "ar");
  for (const bad of ["", "en_US!", "english please", "en, fr", "x-klingon", "123", undefined]) {
    t.is(canonicalLanguage(bad), undefined, String(bad));
  }
});

test("matchesLanguage is RFC 4647 basic filtering", (t) => {
  t.true(matchesLanguage("fr", "fr"));
  t.true(matchesLanguage("fr", "fr-CA"));
  t.true(matchesLanguage("fr-CA", "fr-CA"));
  t.false(matchesLanguage("fr-CA", "fr"));
  t.false(matchesLanguage("fr", "fro"));
  t.false(matchesLanguage("fr", undefined));
  t.true(matchesLanguage("zh-Hans", "zh-hans-CN"));
});

test("language indexes are named by the primary subtag", (t) => {
  t.is(primaryLanguage("zh-Hans-CN"), "zh");
  t.is(languageIndex("migration", "fr-CA"), "migration@fr");
  t.is(languageIndex("all", "ar"), "all@ar");
});

test("isRightToLeft knows Arabic, Hebrew, Persian and Urdu, and scripts", (t) => {
  for (const tag of ["ar", "he", "fa", "ur", "ar-EG"]) t.true(isRightToLeft(tag), tag);
  for (const tag of ["en", "zh-Hans", "ru", "az-Latn"]) t.false(isRightToLeft(tag), tag);
  t.true(isRightToLeft("az-Arab"));
});
