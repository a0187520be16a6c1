"""`python3 -m qdrant_standin --host 127.0.0.1 --port 0 --data-dir DIR …`"""

import argparse
import os
import signal
import ssl
import sys
import threading
import time

import orjson

from .server import App, StandInServer


def watch_parent(stop) -> None:
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        stop(None, None)

    threading.Thread(target=watch, daemon=True).start()


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="qdrant_standin", description="A Qdrant REST API stand-in for tests.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=6333, help="0 picks a free port")
    p.add_argument("--data-dir", required=True, help="where collections and snapshots are kept")
    p.add_argument("--api-key", default=os.environ.get("QDRANT_STANDIN_API_KEY"))
    p.add_argument("--read-only-api-key", default=os.environ.get("QDRANT_STANDIN_READ_ONLY_API_KEY"))
    p.add_argument("--version", default="1.15.1", help="the Qdrant version to report")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--faults-file", help="JSON faults to install at start (same body as POST /__standin/faults)")
    p.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (chain); needs --tls-key")
    p.add_argument("--tls-key", help="the PEM private key of --tls-cert")
    p.add_argument("--cluster-peers", type=int, default=0,
                   help="report a distributed deployment of N peers (N >= 1; 1 is a one-peer cluster, which "
                        "is what shard keys need); shards are placed round robin, this node holds peer 0's "
                        "share, and still stores every point")
    p.add_argument("--snapshots-storage", choices=("local", "s3"), default="local",
                   help="like Qdrant's storage.snapshots_config.snapshots_storage: with s3, snapshot downloads "
                        "ignore Range and stream (chunked), and snapshot descriptions carry no checksum")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    p.add_argument("--exit-with-parent", action="store_true",
                   help="stop when the process that started us ends (test fixtures: no orphans after a killed test run)")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")

    app = App(args.data_dir, args.version, args.api_key, args.read_only_api_key, args.verbose,
              cluster_peers=args.cluster_peers, snapshots_storage=args.snapshots_storage)
    if args.faults_file:
        with open(args.faults_file, "rb") as f:
            app.faults.add(orjson.loads(f.read()))
    server = StandInServer((args.host, args.port), app)
    port = server.server_address[1]
    scheme = "http"
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        # The handshake runs in the request's own thread (see StandInServer.finish_request), so a
        # client that rejects the certificate never blocks the accept loop.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https"

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    if args.exit_with_parent:
        watch_parent(stop)
    # A child of a Swift test process inherits its blocked signal mask; SIGTERM must reach us.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"listening on {scheme}://{args.host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.store.close()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
