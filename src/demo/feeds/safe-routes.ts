// Sample feed for `tributary serve --demo`: a JSON Feed 1.1 of an invented anti-trafficking
// helpline network. Written for Tributary; the network and its updates are fictional.
import type { DemoFeed } from "../feed.js";

export const safeRoutes: DemoFeed = {
  path: "/safe-routes/feed.json",
  contentType: "application/feed+json; charset=utf-8",
  render: ({ origin, isoHoursAgo }) =>
    JSON.stringify(
      {
        version: "https://jsonfeed.org/version/1.1",
        title: "Safe Routes Helpline Network",
        home_page_url: `${origin}/articles/safe-routes/`,
        feed_url: `${origin}/safe-routes/feed.json`,
        description:
          "Updates from a network of anti-trafficking helplines (a fictional partner of the Tributary demo).",
        language: "en",
        authors: [{ name: "Safe Routes coordination team" }],
        items: [
          {
            id: "safe-routes-hotline-languages",
            url: `${origin}/articles/safe-routes/hotline-languages`,
            title: "The helpline now answers in eleven languages",
            summary:
              "Callers can now speak to an adviser in Tigrinya, Dari and Vietnamese as well, after the network trained nineteen new interpreters.",
            content_html:
              "<p>Callers can now speak to an adviser in Tigrinya, Dari and Vietnamese as well, after the network trained nineteen new interpreters.</p><p>Calls in a caller's own language last longer, advisers say, but end far more often with a referral to a shelter or a lawyer.</p>",
            date_published: isoHoursAgo(1),
            tags: ["Helpline", "Interpreting"],
          },
          {
            id: "safe-routes-warning-signs",
            url: `${origin}/articles/safe-routes/warning-signs-job-ads`,
            title: "Five warning signs in job adverts abroad",
            summary:
              "Free travel, no interview, a salary far above the local rate, a passport 'kept safe' by the employer, and a contract in a language you cannot read.",
            date_published: isoHoursAgo(30),
            tags: ["Prevention"],
          },
          {
            id: "safe-routes-annual-figures",
            url: `${origin}/articles/safe-routes/annual-figures`,
            title: "Annual figures: one in three calls concerned forced labour",
            summary:
              "Forced labour in construction, cleaning and agriculture made up a third of the cases the helplines referred last year, overtaking sexual exploitation for the first time.",
            date_published: isoHoursAgo(120),
            tags: ["Data", "Forced labour"],
          },
          {
            id: "safe-routes-training-nurses",
            url: `${origin}/articles/safe-routes/training-health-workers`,
            title: "Training health workers to recognise trafficking",
            summary:
              "A two-hour module for nurses and emergency staff, written with survivors, is now free to use by any hospital in the network.",
            date_published: isoHoursAgo(260),
            tags: ["Training"],
          },
        ],
      },
      null,
      2,
    ),
};
