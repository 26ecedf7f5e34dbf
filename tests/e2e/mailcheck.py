#!/usr/bin/env python3
"""mailcheck.py - look at delivered mail the way a mail client would.

Independent of postdesk's own code: Python's email package decodes the
headers.  Subcommands (exit 0 when the check holds, 1 otherwise):

  header FILE NAME            print every value of header NAME, decoded
  count FILE NAME             print how many NAME headers FILE has
  subject-is FILE TEXT        decoded Subject equals TEXT (whitespace runs
                              compared as one space)
  raw-subject FILE            print the raw (undecoded, unfolded) Subject
  no-header-injection FILE    every header line is a well-formed field or
                              a continuation; no header appears that the
                              sent message did not have (names given after
                              --allow)
"""
import email
import email.header
import email.policy
import re
import sys


def load(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.compat32)


def decode(value):
    parts = []
    for text, charset in email.header.decode_header(value):
        if isinstance(text, bytes):
            text = text.decode(charset or "ascii", errors="replace")
        parts.append(text)
    return "".join(parts) if len(parts) == 1 else str(
        email.header.make_header(email.header.decode_header(value)))


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def main(argv):
    cmd, path = argv[1], argv[2]
    msg = load(path)
    if cmd == "header":
        for v in msg.get_all(argv[3]) or []:
            print(norm(decode(v)))
        return 0
    if cmd == "count":
        print(len(msg.get_all(argv[3]) or []))
        return 0
    if cmd == "raw-subject":
        print(re.sub(r"\r?\n", "", msg.get("Subject", "")))
        return 0
    if cmd == "subject-is":
        got = norm(decode(msg.get("Subject", "")))
        want = norm(argv[3])
        if got != want:
            print("subject %r != %r" % (got, want), file=sys.stderr)
            return 1
        return 0
    if cmd == "no-header-injection":
        allow = {a.lower() for a in argv[argv.index("--allow") + 1:]} \
            if "--allow" in argv else set()
        with open(path, "rb") as f:
            head = f.read().replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
        for line in head.split(b"\n"):
            if line[:1] in (b" ", b"\t"):
                continue
            m = re.match(rb"^([\x21-\x39\x3b-\x7e]+):", line)
            if not m:
                print("malformed header line %r" % line, file=sys.stderr)
                return 1
            name = m.group(1).decode().lower()
            if name not in allow:
                print("unexpected header %s" % name, file=sys.stderr)
                return 1
        return 0
    print("unknown command", cmd, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
