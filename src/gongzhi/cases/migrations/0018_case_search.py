"""Full-text search of case titles and descriptions, and number tails (issue 25): on
PostgreSQL only (cases.search says why and how; SQLite keeps its LIKE scan).

- cases_search_terms(title, description): the lexemes, NFKC-normalised and lower-cased runs
  of CJK, Latin letters and digits cut into character bigrams plus each run's last
  character (cases.search.terms is its Python twin).
- cases_case.search_vector, kept by a trigger on every insert and every update of the title
  or description, whoever writes (ENABLE ALWAYS: demo.grow loads in replica mode). An
  insert that gives the vector itself keeps it (demo.grow computes it once per text).
- existing rows filled in batches, each committed on its own (the migration is not atomic,
  so a large table is not locked whole and a stopped run resumes where it was).
- a GIN index on the vector and a pattern index on the reversed number (a number's tail),
  built CONCURRENTLY: writes go on meanwhile.

No extension is needed.
"""

from django.db import migrations

BATCH = 5_000

TERMS = r"""
CREATE OR REPLACE FUNCTION cases_search_terms(title text, description text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT array_to_tsvector(ARRAY(
    SELECT substr(run, i, 2)
    FROM regexp_split_to_table(
           lower(normalize(coalesce(title, '') || ' ' || coalesce(description, ''), NFKC)),
           '[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+') AS run,
         generate_series(1, char_length(run)) AS i
    WHERE run <> ''))
$$
"""

TRIGGER = r"""
CREATE OR REPLACE FUNCTION cases_case_search_vector() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' AND NEW.search_vector IS NOT NULL THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.title IS NOT DISTINCT FROM OLD.title
     AND NEW.description IS NOT DISTINCT FROM OLD.description
     AND NEW.search_vector IS NOT NULL THEN
    RETURN NEW;
  END IF;
  NEW.search_vector := cases_search_terms(NEW.title, NEW.description);
  RETURN NEW;
END
$$
"""

FORWARD = [
    "ALTER TABLE cases_case ADD COLUMN IF NOT EXISTS search_vector tsvector",
    TERMS,
    TRIGGER,
    "DROP TRIGGER IF EXISTS cases_case_search ON cases_case",
    "CREATE TRIGGER cases_case_search BEFORE INSERT OR UPDATE OF title, description"
    " ON cases_case FOR EACH ROW EXECUTE FUNCTION cases_case_search_vector()",
    "ALTER TABLE cases_case ENABLE ALWAYS TRIGGER cases_case_search",
]

INDEXES = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS case_search ON cases_case USING gin (search_vector)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS case_number_tail"
    " ON cases_case (reverse(number) text_pattern_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS case_number_tail",
    "DROP INDEX IF EXISTS case_search",
    "DROP TRIGGER IF EXISTS cases_case_search ON cases_case",
    "DROP FUNCTION IF EXISTS cases_case_search_vector()",
    "ALTER TABLE cases_case DROP COLUMN IF EXISTS search_vector",
    "DROP FUNCTION IF EXISTS cases_search_terms(text, text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return run


def fill(apps, schema_editor):
    """The rows written before the trigger, BATCH ids at a time."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM cases_case WHERE search_vector IS NULL")
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, BATCH):
            cursor.execute(
                "UPDATE cases_case SET search_vector = cases_search_terms(title, description)"
                " WHERE id >= %s AND id < %s AND search_vector IS NULL",
                [start, start + BATCH],
            )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("cases", "0017_rates_map_indexes")]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(_run(INDEXES), migrations.RunPython.noop, elidable=False),
    ]
