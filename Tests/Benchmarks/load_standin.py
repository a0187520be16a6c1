"""Loads the first COUNT points of a JSON Lines file into a new collection on a server (not timed).

    load_standin.py URL COLLECTION FILE COUNT
"""
import http.client
import sys
from urllib.parse import urlsplit


def request(connection, method, path, body):
    connection.request(method, path, body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    if response.status >= 300:
        sys.exit(f"{method} {path}: {response.status} {data[:300]!r}")


def main():
    url, collection, path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    connection.request("DELETE", f"/collections/{collection}")
    connection.getresponse().read()
    request(connection, "PUT", f"/collections/{collection}", b'{"vectors":{"size":768,"distance":"Cosine"}}')
    batch = []
    loaded = 0
    with open(path, "rb") as f:
        for line in f:
            if loaded + len(batch) >= count:
                break
            batch.append(line.rstrip(b"\n"))
            if len(batch) == 1000:
                request(connection, "PUT", f"/collections/{collection}/points?wait=true",
                        b'{"points":[' + b",".join(batch) + b"]}")
                loaded += len(batch)
                batch = []
    if batch:
        request(connection, "PUT", f"/collections/{collection}/points?wait=true", b'{"points":[' + b",".join(batch) + b"]}")


if __name__ == "__main__":
    main()
