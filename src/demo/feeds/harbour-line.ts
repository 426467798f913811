// Sample feed for `tributary serve --demo`: an RSS 2.0 newsroom of an invented migrants' rights
// observatory. Written for Tributary; the organisation and its stories are fictional.
// Dates are hours before the demo started, so the entries stay inside any retention window.
import type { DemoFeed } from "../feed.js";

export const harbourLine: DemoFeed = {
  path: "/harbour-line/rss.xml",
  contentType: "application/rss+xml; charset=utf-8",
  render: ({ origin, hoursAgo }) => `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Harbour Line Migration Observatory</title>
    <link>${origin}/articles/harbour-line/</link>
    <atom:link href="${origin}/harbour-line/rss.xml" rel="self" type="application/rss+xml"/>
    <description>Monitoring, field notes and policy briefs on migration along the coast (a fictional partner of the Tributary demo).</description>
    <language>en</language>
    <item>
      <title>Monthly arrivals brief: sea crossings fall, overland arrivals rise</title>
      <link>${origin}/articles/harbour-line/arrivals-brief</link>
      <guid isPermaLink="false">harbour-line-brief-0412</guid>
      <pubDate>${hoursAgo(3)}</pubDate>
      <dc:creator>Harbour Line data desk</dc:creator>
      <category>Data</category>
      <description><![CDATA[<p>Registered sea arrivals fell for the third month in a row, while <strong>overland arrivals</strong> at the two northern crossing points nearly doubled. The brief breaks the figures down by age and nationality.</p>]]></description>
    </item>
    <item>
      <title>Reception centres at capacity as winter approaches</title>
      <link>${origin}/articles/harbour-line/reception-capacity</link>
      <guid isPermaLink="false">harbour-line-reception-0409</guid>
      <pubDate>${hoursAgo(20)}</pubDate>
      <dc:creator>Mara Ilves</dc:creator>
      <category>Reception</category>
      <description>Three of the four coastal reception centres reported full occupancy this week. Volunteers describe families sleeping in corridors and ask the regional authority to open the former school buildings it promised in the spring.</description>
    </item>
    <item>
      <title>Q&amp;A: what the new family reunification rules change</title>
      <link>${origin}/articles/harbour-line/family-reunification-qa</link>
      <guid isPermaLink="false">harbour-line-qa-0405</guid>
      <pubDate>${hoursAgo(50)}</pubDate>
      <dc:creator>Harbour Line legal team</dc:creator>
      <category>Policy</category>
      <description>The amended rules shorten the waiting period for spouses and children but add a language test for adult relatives. Our lawyers answer the questions families have been asking at the help desk.</description>
    </item>
    <item>
      <title>Field notes: a day at the night shelter by the ferry terminal</title>
      <link>${origin}/articles/harbour-line/night-shelter</link>
      <guid isPermaLink="false">harbour-line-field-0401</guid>
      <pubDate>${hoursAgo(98)}</pubDate>
      <dc:creator>Tomas Reyna</dc:creator>
      <category>Field notes</category>
      <description>Forty beds, two social workers and a kettle that never stops. A volunteer's account of one night at the shelter, and of the people who pass through it on their way inland.</description>
    </item>
    <item>
      <title>Unaccompanied minors: guardianship delays reach four months</title>
      <link>${origin}/articles/harbour-line/guardianship-delays</link>
      <guid isPermaLink="false">harbour-line-minors-0327</guid>
      <pubDate>${hoursAgo(170)}</pubDate>
      <dc:creator>Mara Ilves</dc:creator>
      <category>Children</category>
      <description>Children arriving alone now wait an average of four months before a guardian is appointed, leaving them without anyone to sign school enrolments or asylum papers. The observatory calls for a temporary guardian on arrival.</description>
    </item>
  </channel>
</rss>
`,
};
