#!/usr/bin/env python3
"""ack_latency.py - time from a customer's end of DATA to its acknowledgement.

  ack_latency.py PORT MAILDIR_CUST MAILDIR_SUPPORT COUNT CONCURRENCY

Sends COUNT new-ticket messages to support@example.com on 127.0.0.1:PORT,
CONCURRENCY SMTP sessions at a time, each from its own sender
(cust+N@example.com, so no rate limit applies), and records when each
server's 250 to DATA arrived.  Then it waits (bounded) for every
acknowledgement in MAILDIR_CUST, matched by In-Reply-To, and for every
message itself in MAILDIR_SUPPORT, and prints p50/p90/p99 of both delays:
the acknowledgement's, and Postfix's own delivery of the same message
(the baseline, measured in the same run).  Arrival = the Maildir file's
ctime.  Prints "missing N" if anything did not arrive in time.
"""
import concurrent.futures
import email.parser
import os
import re
import smtplib
import sys
import time

port, cust_md, sup_md, count, conc = sys.argv[1:6]
count, conc = int(count), int(conc)
tag = "%x" % int(time.time() * 1000)


def send(i):
    mid = "lat-%s-%d@bench" % (tag, i)
    msg = ("From: <cust+%s-%d@example.com>\r\nTo: support@example.com\r\n"
           "Message-ID: <%s>\r\nSubject: Latency %d\r\n\r\nhello\r\n"
           % (tag, i, mid, i))
    with smtplib.SMTP("127.0.0.1", int(port), "client.example",
                      timeout=60) as s:
        s.sendmail("cust+%s-%d@example.com" % (tag, i),
                   ["support@example.com"], msg.encode())
        return mid, time.time()


def arrivals(maildir, header):
    seen = {}
    new = os.path.join(maildir, "new")
    for name in os.listdir(new) if os.path.isdir(new) else []:
        path = os.path.join(new, name)
        with open(path, "rb") as f:
            head = f.read(8192).decode("latin-1")
        m = re.search(r"^%s:\s*<([^>]+)>" % header, head, re.M | re.I)
        if m:
            seen[m.group(1)] = os.stat(path).st_ctime
    return seen


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


with concurrent.futures.ThreadPoolExecutor(conc) as pool:
    sent = dict(pool.map(send, range(count)))
deadline = time.time() + 120
while time.time() < deadline:
    acks = arrivals(cust_md, "In-Reply-To")
    own = arrivals(sup_md, "Message-ID")
    if all(m in acks and m in own for m in sent):
        break
    time.sleep(0.2)
ack_d = [acks[m] - t for m, t in sent.items() if m in acks]
own_d = [own[m] - t for m, t in sent.items() if m in own]
missing = sum(1 for m in sent if m not in acks or m not in own)
for name, d in (("acknowledgement", ack_d), ("plain delivery", own_d)):
    if d:
        print("%-16s conc=%-3d n=%-5d p50=%6.3fs p90=%6.3fs p99=%6.3fs"
              % (name, conc, len(d), pct(d, 50), pct(d, 90), pct(d, 99)))
print("missing %d" % missing)
