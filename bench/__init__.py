"""Spiegel's benchmark: bulk demo data, then the dashboards, the event result pages and the
export against a baseline.

    make bench                                   # or: .venv/bin/python -m bench
    BENCH_SIZES=20000 BENCH_DATABASES=sqlite make bench

For each database and each size it migrates a fresh database, loads the demo and generates that
many responses with `survey.demo.bulk.generate_responses`, then measures, each as the median of
BENCH_REPEAT runs after one warm-up, in the organisation with the most responses:

- baseline: one plain GROUP BY over that organisation's answers (what reading the raw records
  costs; the dashboards read tallies instead);
- GET /dashboard as its coordinator, without filters and with every filter (questionnaire,
  account manager, channel, months), and as one of its account managers; the goal is 300 ms;
- GET /dashboard?occasion=event_participant: the dashboard of event evaluations (about one
  response in ten is one);
- GET /dashboard/export.csv as its coordinator, reading the whole streamed body;
- GET /events/<id>/results of its event with the most answers and GET /events/series/<id> of
  its series with the most answers, held to the dashboards' goal;
- the peak memory (RSS high-water mark) of a fresh process doing that export; goal 150 MB.

Every page's time is also printed as a ratio to the baseline, and with the number of SQL
statements one request of it sends. With more than one size, a closing list says for each page
whether that number stayed the same as the data grew (the target) or grew. (At a small size the
largest event may have fewer answers than the minimum group size; its withheld figures take
fewer statements, which shows as growth against a larger size.)

Pages are requested through Flask's test client after logging in through the real login form,
so the times are server times without a network. A page that does not exist yet is reported as
"page missing (404)".

Knobs (environment variables):

    BENCH_SIZES          response counts, comma-separated        (default 100000,1000000)
    BENCH_DATABASES      sqlite and/or postgresql                  (default sqlite,postgresql)
    BENCH_REPEAT         timed runs per page                       (default 7)
    BENCH_EXPORT_REPEAT  timed runs of the export                  (default 3)
    BENCH_POSTGRES_URL   server the benchmark database is made on and dropped from
                         (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres);
                         PostgreSQL is skipped with a message when it does not answer
    BENCH_SEED           seed of the generated data                (default 2026)
"""
