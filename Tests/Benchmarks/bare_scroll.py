"""The raw scroll rate of a server: a plain client that reads every page and discards it.

    bare_scroll.py URL COLLECTION [LIMIT] [--offsets FILE]

One keep-alive connection; each page's body is read whole and only `next_page_offset` is looked
at (a byte search, no JSON parsing of the points), so the server is what limits it.
Prints one JSON line: {"points": N, "bytes": response bytes}. With `--offsets FILE`, writes the
offset each page was asked from, one JSON text per line (the curl page-fetch baseline replays them).
"""
import http.client
import json
import sys
from urllib.parse import urlsplit


def main():
    arguments = sys.argv[1:]
    offsets_file = None
    if "--offsets" in arguments:
        at = arguments.index("--offsets")
        offsets_file = open(arguments[at + 1], "wb")
        del arguments[at:at + 2]
    url, collection = arguments[0], arguments[1]
    limit = int(arguments[2]) if len(arguments) > 2 else 1000
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    offset = b"null"
    points = 0
    received = 0
    marker = b'"next_page_offset":'
    while True:
        if offsets_file:
            offsets_file.write(offset + b"\n")
        body = b'{"limit":%d,"offset":%s,"with_payload":true,"with_vector":true}' % (limit, offset)
        connection.request("POST", f"/collections/{collection}/points/scroll", body,
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        page = response.read()
        if response.status != 200:
            sys.exit(f"scroll failed: {response.status} {page[:200]!r}")
        received += len(page)
        # Points are counted by their `"vector"` keys (one each); the offset follows the points.
        points += page.count(b'"vector"')
        at = page.rindex(marker) + len(marker)
        end = at
        while page[end] not in b",}":
            end += 1
        offset = page[at:end].strip()
        if offset == b"null":
            break
    if offsets_file:
        offsets_file.close()
    print(json.dumps({"points": points, "bytes": received}))


if __name__ == "__main__":
    main()
