"""Create the PostgreSQL database named in DATABASE_URL if it is not there yet.

`python -m config.database_creation` is the first step of `make serve` and of the load test, so
that a newcomer with a PostgreSQL server needs no `createdb`. It connects to the server's
`postgres` database to do so, and does nothing for SQLite.
"""

import os
import sys

import dj_database_url
import psycopg
from psycopg import sql


def ensure_database(url):
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return False
    server = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if exists:
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
        return True


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("DATABASE_URL is not set, e.g. postgres://USER@127.0.0.1:5432/jixiao")
    if ensure_database(url):
        print(f"Created database {dj_database_url.parse(url)['NAME']}.")


if __name__ == "__main__":
    main()
