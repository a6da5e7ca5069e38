"""Running jobs at the same instant, for the tests that two schedulers, two clicks or two
watchers at once act once (PostgreSQL: SQLite serialises its writers)."""

import threading

from django.db import connection


def race(*jobs, timeout: float = 60):
    """Run the jobs in threads released at the same instant; (results, errors) in order."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [None] * len(jobs), [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as error:
            errors[i] = error
        finally:
            connection.close()  # each thread has its own connection: give it back

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    return results, errors
