#!/usr/bin/env python3
"""corpus.py - send the shared mail corpus through Postfix and check it.

  corpus.py send CORPUS PORT MANIFEST
      Every message under CORPUS (files whose first line is a header field;
      mbox files split into their messages) is sent to support@example.com
      on 127.0.0.1:PORT, several messages per SMTP connection.  Line endings
      become CRLF, as any SMTP client sends them.  MANIFEST gets one line per
      message: "sha256-of-normalised-body<TAB>source".  Exit 1 if the server
      refused any message.

  corpus.py check MANIFEST MAILDIR MILTER_LOG
      Every body of MANIFEST was delivered exactly as many times as it was
      sent, byte for byte (after the same line-ending normalisation, LF);
      every delivered message either carries X-Postdesk-Ticket with its tag
      exactly once in the decoded Subject (Python's email.header decodes it,
      not postdesk's code), or the milter logged a warning with its queue id.
      Prints a summary; exit 1 on any failure.
"""
import collections
import email
import email.header
import email.policy
import hashlib
import mailbox
import os
import re
import smtplib
import sys

PER_CONNECTION = 20


def normalise(data):
    data = re.sub(rb"\r\n|\r|\n", b"\n", data)
    return data if data.endswith(b"\n") else data + b"\n"


HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")


def body_of(data):
    """The body as an MTA sees it: the header ends at the first line that
    is neither a header field nor a continuation (Postfix does the same
    with a malformed line), and the empty line ending it is not body."""
    lines = normalise(data).split(b"\n")[:-1]
    i = 0
    while i < len(lines):
        line = lines[i]
        if HEADER_LINE.match(line) or (i > 0 and line[:1] in (b" ", b"\t")):
            i += 1
            continue
        break
    if i < len(lines) and lines[i] == b"":
        i += 1
    return b"".join(l + b"\n" for l in lines[i:])


def looks_like_message(first):
    return re.match(rb"^[!-9;-~]+:", first) is not None


def messages(corpus):
    for root, _dirs, files in sorted(os.walk(corpus)):
        for name in sorted(files):
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                data = f.read()
            first = data.split(b"\n", 1)[0]
            if first.startswith(b"From ") and b"\n\nFrom " in normalise(data):
                for i, m in enumerate(mailbox.mbox(path)):
                    yield "%s#%d" % (path, i), m.as_bytes()
            elif looks_like_message(first):
                yield path, data


def send(corpus, port, manifest):
    out = open(manifest, "w")
    refused = 0
    batch = list(messages(corpus))
    for start in range(0, len(batch), PER_CONNECTION):
        with smtplib.SMTP("127.0.0.1", int(port), "client.example",
                          timeout=60) as s:
            for src, data in batch[start:start + PER_CONNECTION]:
                wire = normalise(data).replace(b"\n", b"\r\n")
                try:
                    s.sendmail("corpus@example.org",
                               ["support@example.com"], wire)
                except smtplib.SMTPException as e:
                    print("refused %s: %s" % (src, e), file=sys.stderr)
                    refused += 1
                    s.rset()
                    continue
                digest = hashlib.sha256(body_of(data)).hexdigest()
                out.write("%s\t%s\n" % (digest, src))
    out.close()
    print("sent %d messages, refused %d" % (len(batch) - refused, refused))
    return 1 if refused else 0


def decoded_subject(msg):
    raw = msg.get("Subject")
    if raw is None:
        return None
    try:
        return str(email.header.make_header(email.header.decode_header(raw)))
    except Exception:       # an undecodable header: compare raw text
        return raw


def check(manifest, maildir, log):
    sent = collections.Counter()
    source = {}
    with open(manifest) as f:
        for line in f:
            digest, src = line.rstrip("\n").split("\t", 1)
            sent[digest] += 1
            source[digest] = src
    warned = set(re.findall(r": ([0-9A-Za-z]+): warning: ",
                            open(log, errors="replace").read()))
    got = collections.Counter()
    bad_subject = []
    for name in sorted(os.listdir(os.path.join(maildir, "new"))):
        with open(os.path.join(maildir, "new", name), "rb") as f:
            data = f.read()
        got[hashlib.sha256(body_of(data)).hexdigest()] += 1
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        qid = re.search(r"with ESMTP id ([0-9A-Za-z]+)", msg.get("Received", ""))
        qid = qid.group(1) if qid else "?"
        tag = msg.get("X-Postdesk-Ticket")
        subject = decoded_subject(msg) or ""
        if tag is None or subject.count("[%s]" % tag.strip()) != 1:
            if qid not in warned:
                bad_subject.append((name, qid, tag, subject[:80]))
    lost = sent - got
    extra = got - sent
    print("sent %d, delivered %d, lost %d, unexpected %d, "
          "subject problems without a warning %d" %
          (sum(sent.values()), sum(got.values()), sum(lost.values()),
           sum(extra.values()), len(bad_subject)))
    for item in bad_subject[:10]:
        print("  subject: %r" % (item,))
    for digest in list(lost)[:10]:
        print("  body changed or lost: %s" % source[digest])
    return 1 if lost or extra or bad_subject or not sent else 0


if __name__ == "__main__":
    if sys.argv[1] == "send":
        sys.exit(send(*sys.argv[2:5]))
    sys.exit(check(*sys.argv[2:5]))
