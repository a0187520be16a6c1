#!/usr/bin/env python3
"""Runs `age ARGS...` with the passphrase in $AGE_TEST_PASSPHRASE typed at its prompts.

age reads passphrases only from a terminal, so it runs on a pseudo-terminal here; its output must
go to a file (`-o FILE`). Exits with age's exit code; age's prompts and messages go to stderr.
"""
import os
import pty
import sys

passphrase = os.environ["AGE_TEST_PASSPHRASE"].encode()
pid, terminal = pty.fork()
if pid == 0:
    os.execvp("age", ["age"] + sys.argv[1:])
seen = b""
answered = 0
while True:
    try:
        data = os.read(terminal, 1024)
    except OSError:
        break
    if not data:
        break
    seen += data
    # "Enter passphrase..." and, when encrypting, "Confirm passphrase:".
    while seen.lower().count(b"passphrase") > answered:
        os.write(terminal, passphrase + b"\n")
        answered += 1
_, status = os.waitpid(pid, 0)
sys.stderr.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
