#!/usr/bin/env python3
"""chaos.py - the mail traffic of tests/e2e/t_chaos.sh, and its checks.

  chaos.py drive --mx PORT --sub PORT --mail DIR --journal FILE
                 --seconds S --seed N --sessions C [--bursts B]
                 [--grace S]
  chaos.py check --mail DIR --journal FILE --db FILE --mode MODE
                 [--result FILE] [--fake-loss]

drive plays customers and agents of one support desk for S seconds,
with C SMTP sessions in parallel, the way a mail server and people would:

  * customers (cust+cN@example.com) open tickets at PORT (the MX), reply
    to their acknowledgement (In-Reply-To), to an agent's answer, or with
    just the tag in the subject, and "click" a grade of the survey they
    receive (a mail to its support+csat-... address);
  * agents (alice, bob) answer through SASL submission (--sub) with
    "Reply all", some with command lines: #priority, #pending, #open,
    #assign, #note, #resolve, and now and then a misspelt one that the
    milter refuses;
  * B of the C sessions (default C/4) only fire bursts of new tickets
    and follow-ups, several messages per SMTP session.

Every message carries a unique Message-ID and the same value in an
X-Chaos-Id header.  A temporary failure (4xx at any step, a refused or
dropped connection) is retried after a short backoff, as an MTA would,
until --grace seconds after the traffic ends; a 5xx is final.  Waits for
mail to arrive (a tag, an acknowledgement, a survey) are bounded.  The
journal (JSON) lists each message: kind, recipients, where it must be
delivered, the outcome of its attempts.

check reads the journal, every Maildir under DIR and the store (through
the sqlite3 program) and prints "name value" lines: what was delivered
exactly once, lost, duplicated, misrouted, passed without the milter
(unfiltered), new tickets recorded, acknowledgements per new ticket,
surveys per resolution, survey answers recorded, outbox rows delivered,
"PRAGMA integrity_check".  MODE is the MX's milter default action:
with "tempfail" every message must have passed the milter; with "accept"
a message the milter never saw may pass unchanged to its envelope
recipients.  --fake-loss adds a message that was never sent to the
journal and a second copy of one delivered file, so a run can show that
the check can fail (the negative control).
"""
import argparse
import email
import email.parser
import email.policy
import email.utils
import json
import os
import random
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import threading
import time

PASSWORD = "chaos-secret"
AGENTS = ("alice@example.com", "bob@example.com")
TAG_RE = re.compile(r"\[(PD-\d+-[0-9A-Z]{4})\]")
CSAT_RE = re.compile(r"support\+csat-(\d+)-(\d+)-[0-9a-z]+@example\.com")
SMTP_TIMEOUT = 90
WAIT_STEP = 0.25


def box_of(addr):
    """The Maildir of a recipient: its local part without +detail."""
    return addr.split("@", 1)[0].split("+", 1)[0]


def msgid_of(value):
    """The first <id> of a header value, without the brackets."""
    m = re.search(r"<([^<>\s]+)>", value or "")
    return m.group(1) if m else None


# --- the delivered mail ---------------------------------------------------

class Boxes:
    """What the Maildirs under one directory hold, read incrementally.

    Only headers are read (a survey is read whole once, for its grade
    addresses).  refresh() may run in one thread while others read."""

    def __init__(self, top):
        self.top = top
        self.lock = threading.Lock()
        self.seen = set()
        self.copies = {}        # chaos id -> [(box, filtered, path)]
        self.ticket = {}        # chaos id -> X-Postdesk-Ticket
        self.acks = {}          # customer Message-ID -> [ack Message-ID]
        self.ack_subject = {}   # ack Message-ID -> Subject
        self.surveys = {}       # tag -> [survey dict]
        self.by_msgid = {}      # Message-ID (worker mail) -> [box]
        self.notices = {}       # agent Message-ID -> count
        self.stray = []         # anything else

    def refresh(self):
        parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
        try:
            boxes = sorted(os.listdir(self.top))
        except OSError:
            return
        for box in boxes:
            for sub in ("new", "cur"):
                d = os.path.join(self.top, box, sub)
                try:
                    names = os.listdir(d)
                except OSError:
                    continue
                for name in names:
                    if name in self.seen:
                        continue
                    path = os.path.join(d, name)
                    try:
                        with open(path, "rb") as f:
                            head = f.read(65536)
                    except OSError:
                        continue
                    head = head.split(b"\n\n", 1)[0] + b"\n\n"
                    self._add(box, path, parser.parsebytes(head))
                    self.seen.add(name)

    def _add(self, box, path, h):
        cid = (h.get("X-Chaos-Id") or "").strip()
        auto = (h.get("Auto-Submitted") or "").strip().lower()
        mid = msgid_of(h.get("Message-ID"))
        with self.lock:
            if cid:
                tkt = (h.get("X-Postdesk-Ticket") or "").strip()
                self.copies.setdefault(cid, []).append(
                    (box, bool(tkt), path))
                if tkt and box == "support":
                    self.ticket.setdefault(cid, tkt)
                return
            if mid:
                self.by_msgid.setdefault(mid, []).append(box)
            irt = msgid_of(h.get("In-Reply-To"))
            subj = re.sub(r"\s+", " ", h.get("Subject") or "")
            if box == "cust" and auto == "auto-replied" and irt:
                self.acks.setdefault(irt, []).append(mid)
                self.ack_subject[mid] = subj
            elif box == "cust" and auto == "auto-generated":
                m = TAG_RE.search(subj)
                s = {"msgid": mid, "path": path, "to": h.get("To") or ""}
                self.surveys.setdefault(m.group(1) if m else "",
                                        []).append(s)
            elif box in ("alice", "bob") and auto and irt:
                self.notices[irt] = self.notices.get(irt, 0) + 1
            elif not mid:
                self.stray.append(path)

    def get(self, what, key):
        with self.lock:
            v = getattr(self, what).get(key)
            return list(v) if isinstance(v, list) else v


def grade_addresses(path):
    """grade -> mailto address of a survey."""
    with open(path, "rb") as f:
        m = email.message_from_binary_file(f)
    part = m
    if m.is_multipart():
        part = next((p for p in m.walk()
                     if p.get_content_type() == "text/plain"), None)
        if part is None:
            return {}
    body = part.get_payload(decode=True) or b""
    body = body.decode(part.get_content_charset() or "utf-8", "replace")
    out = {}
    for line in body.splitlines():
        g = re.match(r"\s*(\d) - .*mailto:([^?\s]+)", line)
        if g:
            out[int(g.group(1))] = g.group(2)
    return out


# --- sending ----------------------------------------------------------------

class Msg:
    """One message of the run and what must become of it."""

    def __init__(self, kind, scen, sender, rcpts, headers, body, expect,
                 alt, login=None):
        self.kind = kind
        self.scen = scen
        self.sender = sender
        self.rcpts = list(rcpts)
        self.expect = expect        # box -> copies, milter applied
        self.alt = alt              # box -> copies, milter not applied
        self.login = login
        self.id = None
        self.headers = headers
        self.body = body
        self.rec = None

    def data(self):
        lines = ["%s: %s" % (k, v) for k, v in self.headers]
        lines.append("Message-ID: <%s>" % self.id)
        lines.append("X-Chaos-Id: %s" % self.id)
        lines.append("Date: " + email.utils.formatdate(localtime=True))
        text = "\r\n".join(lines) + "\r\n\r\n" + self.body.replace(
            "\n", "\r\n")
        if not text.endswith("\r\n"):
            text += "\r\n"
        return text.encode()


class Outcome(Exception):
    """An attempt's end: kind is temp, perm or ambiguous."""

    def __init__(self, kind, detail):
        Exception.__init__(self, detail)
        self.kind = kind
        self.detail = detail


def reply_code(e):
    return getattr(e, "smtp_code", None) or 0


def classify(code, what):
    if 400 <= code < 500:
        return Outcome("temp", "%s %d" % (what, code))
    return Outcome("perm", "%s %d" % (what, code))


def smtp_transaction(s, msg, rcpts):
    """MAIL, RCPT, DATA on an open session; the recipients refused for
    now.  Raises Outcome when the message was not taken."""
    code, _ = s.mail(msg.sender)
    if code != 250:
        raise classify(code, "MAIL")
    taken, later = [], []
    for r in rcpts:
        code, _ = s.rcpt(r)
        if code in (250, 251):
            taken.append(r)
        elif 400 <= code < 500:
            later.append(r)
        else:
            raise classify(code, "RCPT")
    if not taken:
        s.rset()
        raise Outcome("temp", "RCPT 4xx")
    code, _ = s.docmd("DATA")
    if code != 354:
        raise classify(code, "DATA")
    body = re.sub(rb"(?m)^\.", b"..", msg.data()) + b".\r\n"
    try:
        s.send(body)
        code, _ = s.getreply()
    except (smtplib.SMTPException, OSError) as e:
        raise Outcome("ambiguous", "end of data: %s" % e)
    if code != 250:
        raise classify(code, "end of data")
    return later


def pick_commands(rnd):
    """The command lines of an agent's answer: none mostly."""
    r = rnd.random()
    if r < 0.35:
        return []
    if r < 0.5:
        return ["#priority " + rnd.choice(("high", "urgent", "low",
                                           "normal"))]
    if r < 0.65:
        return ["#note"]
    if r < 0.75:
        return ["#pending"]
    if r < 0.85:
        extra = ["#priority high"] if rnd.random() < 0.5 else []
        return ["#assign " + box_of(rnd.choice(AGENTS))] + extra
    if r < 0.93:
        return ["#open"]
    return ["#reslove"]        # misspelt: refused, the agent is told


class Driver:
    """The customers, agents and bursts of one run."""

    def __init__(self, a):
        self.a = a
        self.boxes = Boxes(a.mail)
        self.start = time.time()
        self.end = self.start + a.seconds
        self.give_up = self.end + a.grace
        self.lock = threading.Lock()
        self.seq = 0
        self.ncust = 0
        self.custs = []
        self.journal = []
        self.stop = threading.Event()

    # -- bookkeeping --
    def next_id(self, kind):
        with self.lock:
            self.seq += 1
            return "%s.%d.%d@chaos.client" % (kind, self.seq, self.a.seed)

    def customer(self, rnd):
        with self.lock:
            if self.custs and rnd.random() < 0.3:
                return rnd.choice(self.custs)
            self.ncust += 1
            c = "cust+c%d@example.com" % self.ncust
            self.custs.append(c)
            return c

    def record(self, msg):
        msg.id = self.next_id(msg.kind)
        msg.rec = {"id": msg.id, "kind": msg.kind, "scen": msg.scen,
                   "from": msg.sender, "rcpts": msg.rcpts,
                   "expect": msg.expect, "alt": msg.alt,
                   "status": "unsent", "attempts": 0, "temp": 0,
                   "ambiguous": 0, "done_rcpts": []}
        with self.lock:
            self.journal.append(msg.rec)

    # -- SMTP --
    def session(self, login):
        port = self.a.sub if login else self.a.mx
        try:
            s = smtplib.SMTP("127.0.0.1", port, "client.example",
                             timeout=SMTP_TIMEOUT)
        except smtplib.SMTPConnectError as e:
            raise classify(reply_code(e), "connect")
        except (smtplib.SMTPException, OSError) as e:
            raise Outcome("temp", "connect: %s" % e)
        try:
            code, _ = s.ehlo()
            if code != 250:
                quiet_close(s)
                raise classify(code, "EHLO")
            if login:
                s.login(login, PASSWORD)
        except smtplib.SMTPException as e:
            quiet_close(s)
            code = reply_code(e)
            raise classify(code, "AUTH") if code else \
                Outcome("temp", "AUTH: %s" % e)
        except OSError as e:
            quiet_close(s)
            raise Outcome("temp", "AUTH: %s" % e)
        return s

    def attempt(self, s, msg):
        """One try of msg on session s; True when nothing is left."""
        rec = msg.rec
        left = [r for r in msg.rcpts if r not in rec["done_rcpts"]]
        rec["attempts"] += 1
        try:
            later = smtp_transaction(s, msg, left)
        except Outcome as o:
            if o.kind == "ambiguous":
                rec["ambiguous"] += 1
            elif o.kind == "temp":
                rec["temp"] += 1
            else:
                rec["status"] = "refused"
                rec["detail"] = o.detail
            raise
        except (smtplib.SMTPException, OSError) as e:
            rec["temp"] += 1
            raise Outcome("temp", str(e))
        rec["done_rcpts"] += [r for r in left if r not in later]
        if later:
            rec["temp"] += 1
            return False
        rec["status"] = "sent"
        rec["t_sent"] = round(time.time() - self.start, 3)
        return True

    def send(self, msgs):
        """Send msgs on one session; what that leaves is retried alone
        until accepted, refused or the grace period ends.  Returns the
        messages accepted."""
        for m in msgs:
            self.record(m)
        todo = list(msgs)
        try:
            s = self.session(todo[0].login)
        except Outcome as o:
            s = None
            todo[0].rec["temp"] += o.kind == "temp"
        if s is not None:
            try:
                while todo and self.attempt(s, todo[0]):
                    todo.pop(0)
            except Outcome:
                pass
            finally:
                quiet_close(s)
        for m in todo:
            self.retry_alone(m)
        return [m for m in msgs if m.rec["status"] == "sent"]

    def retry_alone(self, m):
        """Retry m on sessions of its own, with a growing pause."""
        tries = 0
        while m.rec["status"] == "unsent" and time.time() <= self.give_up:
            tries += 1
            time.sleep(min(0.2 * (2 ** min(tries, 4)), 3.0) *
                       random.uniform(0.5, 1.0))
            try:
                s = self.session(m.login)
            except Outcome as o:
                if o.kind == "perm":
                    m.rec["status"] = "refused"
                    m.rec["detail"] = o.detail
                else:
                    m.rec["temp"] += 1
                continue
            try:
                self.attempt(s, m)
            except Outcome:
                pass
            finally:
                quiet_close(s)
        if m.rec["status"] == "unsent":
            m.rec["status"] = "gave-up"

    # -- waiting for mail --
    def wait(self, fn, secs):
        limit = min(time.time() + secs, self.end + 5)
        while True:
            v = fn()
            if v or time.time() > limit or self.stop.is_set():
                return v
            time.sleep(WAIT_STEP)

    def indexer(self):
        while not self.stop.is_set():
            self.boxes.refresh()
            time.sleep(WAIT_STEP)

    # -- the messages --
    def customer_msg(self, kind, scen, cust, subject, extra=()):
        hdrs = [("From", "Customer %s <%s>" % (box_of(cust), cust)),
                ("To", "support@example.com"), ("Subject", subject)]
        hdrs += list(extra)
        body = "Hello,\n\nthe printer of conversation %s is broken " \
            "again.\n" % scen
        exp = {"support": 1}
        return Msg(kind, scen, cust, ["support@example.com"], hdrs, body,
                   exp, dict(exp))

    def agent_msg(self, rnd, scen, cust, subject, irt, refs, cmds=None):
        agent = rnd.choice(AGENTS)
        other = [x for x in AGENTS if x != agent][0]
        if cmds is None:
            cmds = pick_commands(rnd)
        kind = "note" if "#note" in cmds else \
            "refused" if "#reslove" in cmds else "answer"
        hdrs = [("From", "%s Agent <%s>" % (box_of(agent).title(), agent)),
                ("To", cust), ("Cc", "support@example.com"),
                ("Subject", subject), ("In-Reply-To", "<%s>" % irt),
                ("References", " ".join("<%s>" % r for r in refs))]
        text = "Thank you, we are looking into it (%s).\n" % scen
        body = ("\n".join(cmds) + "\n\n" if cmds else "") + text
        alt = {"cust": 1, "support": 1}
        exp = {"support": 1, box_of(other): 1} if kind == "note" else \
            {"support": 1} if kind == "refused" else dict(alt)
        m = Msg(kind, scen, agent, [cust, "support@example.com"], hdrs,
                body, exp, alt, login=agent)
        m.cmds = cmds
        return m

    def click_msg(self, scen, cust, addr, grade, comment):
        hdrs = [("From", "<%s>" % cust), ("To", "<%s>" % addr),
                ("Subject", "Grade %d" % grade)]
        body = (comment + "\n\n" if comment else "") + \
            "> quoted survey text\n"
        m = Msg("click", scen, cust, [addr], hdrs, body, {},
                {"support": 1})
        return m

    # -- a conversation --
    def conversation(self, rnd, scen):
        cust = self.customer(rnd)
        subj = "Chaos %s: printer %s" % (scen, rnd.choice(
            ("jams", "is offline", "prints blank pages", "smokes")))
        new = self.customer_msg("new", scen, cust, subj)
        if not self.send([new]):
            return
        if rnd.random() < 0.2:
            return
        tag = self.wait(lambda: self.boxes.get("ticket", new.id), 30)
        tsubj = "Re: [%s] %s" % (tag, subj) if tag else "Re: " + subj
        last_cust, refs, last_answer = new.id, [new.id], None
        for _ in range(rnd.randint(1, 4)):
            if time.time() > self.end:
                return
            if rnd.random() < 0.6:
                if not self.wait(lambda: self.boxes.get("copies",
                                                        last_cust), 30):
                    return
                m = self.agent_msg(rnd, scen, cust, tsubj, last_cust, refs)
                if not self.send([m]):
                    return
                refs.append(m.id)
                if m.kind == "answer":
                    last_answer = m.id
            else:
                m = self.customer_reply(rnd, scen, cust, new, tag, subj,
                                        last_answer, last_cust, refs)
                if m is None:
                    return
                last_cust = m.id
                refs.append(m.id)
            time.sleep(rnd.uniform(0, 0.3))
        if tag and rnd.random() < 0.65 and time.time() < self.end:
            self.resolve(rnd, scen, cust, tag, tsubj, last_cust, refs,
                         new, subj)

    def customer_reply(self, rnd, scen, cust, new, tag, subj, answer,
                       last, refs):
        r = rnd.random()
        extra = []
        subject = "Re: [%s] %s" % (tag, subj) if tag else "Re: " + subj
        if r < 0.35:
            acks = self.wait(lambda: self.boxes.get("acks", new.id), 20)
            if acks:
                subject = "Re: " + (self.boxes.get("ack_subject",
                                                   acks[0]) or subj)
                extra = [("In-Reply-To", "<%s>" % acks[0])]
        elif r < 0.7 and answer:
            if self.wait(lambda: self.boxes.get("copies", answer), 20):
                extra = [("In-Reply-To", "<%s>" % answer),
                         ("References", " ".join("<%s>" % x
                                                 for x in refs))]
        elif r < 0.85 or not tag:
            subject = "Re: " + subj
            extra = [("In-Reply-To", "<%s>" % last)]
        if not tag and not extra:
            extra = [("In-Reply-To", "<%s>" % last)]
        m = self.customer_msg("reply", scen, cust, subject, extra)
        return m if self.send([m]) else None

    def resolve(self, rnd, scen, cust, tag, tsubj, last_cust, refs, new,
                subj):
        if not self.wait(lambda: self.boxes.get("copies", last_cust), 30):
            return
        m = self.agent_msg(rnd, scen, cust, tsubj, last_cust, refs,
                           ["#resolve"])
        if not self.send([m]):
            return
        if rnd.random() < 0.1:
            # the customer writes again at once: a reopen, which cancels
            # the survey if it has not gone yet
            time.sleep(rnd.uniform(0, 2))
            self.customer_reply(rnd, scen, cust, new, tag, subj, m.id,
                                last_cust, refs + [m.id])
            return
        surveys = self.wait(lambda: self.boxes.get("surveys", tag), 40)
        if not surveys or time.time() > self.end:
            return
        grades = grade_addresses(surveys[0]["path"])
        if not grades:
            return
        g = rnd.choice(sorted(grades))
        comment = "Quick and friendly." if g >= 3 and \
            rnd.random() < 0.3 else ""
        c = self.click_msg(scen, cust, grades[g], g, comment)
        if self.send([c]):
            sm = CSAT_RE.search(grades[g])
            c.rec["survey"] = int(sm.group(1)) if sm else 0
            c.rec["grade"] = g

    # -- bursts: several new tickets and follow-ups per session --
    def burst(self, rnd, scen):
        msgs = []
        for i in range(rnd.randint(2, 4)):
            cust = self.customer(rnd)
            subj = "Chaos burst %s-%d: toner" % (scen, i)
            msgs.append(self.customer_msg("new", "%s.%d" % (scen, i), cust,
                                          subj))
        sent = self.send(msgs)
        if sent and rnd.random() < 0.5:
            m = sent[0]
            r = self.customer_msg("reply", m.scen, m.sender,
                                  "Re: " + m.headers[2][1],
                                  [("In-Reply-To", "<%s>" % m.id)])
            self.send([r])

    def worker(self, n, bursty):
        rnd = random.Random(self.a.seed * 1000 + n)
        k = 0
        while time.time() < self.end:
            k += 1
            scen = "%s%d.%d" % ("b" if bursty else "c", n, k)
            if bursty:
                self.burst(rnd, scen)
                time.sleep(rnd.uniform(0, 0.2))
            else:
                self.conversation(rnd, scen)

    def run(self):
        idx = threading.Thread(target=self.indexer, daemon=True)
        idx.start()
        n_burst = self.a.bursts if self.a.bursts is not None else \
            max(1, self.a.sessions // 4)
        threads = [threading.Thread(target=self.worker,
                                    args=(i, i < n_burst), daemon=True)
                   for i in range(self.a.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(1, self.give_up + 60 - time.time()))
        self.stop.set()
        with self.lock:
            return list(self.journal)


def quiet_close(s):
    try:
        s.quit()
    except (smtplib.SMTPException, OSError):
        try:
            s.close()
        except OSError:
            pass


def drive(a):
    d = Driver(a)
    journal = d.run()
    with open(a.journal, "w") as f:
        json.dump(journal, f)
    kinds = {}
    for r in journal:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    sent = sum(1 for r in journal if r["status"] == "sent")
    print("drive: %d messages (%s), sent %d, temporary failures %d, "
          "unsure %d, refused %d, gave up %d, %.0f s" % (
              len(journal), ", ".join("%s %d" % kv
                                      for kv in sorted(kinds.items())),
              sent, sum(r["temp"] for r in journal),
              sum(r["ambiguous"] for r in journal),
              sum(1 for r in journal if r["status"] == "refused"),
              sum(1 for r in journal if r["status"] in
                  ("gave-up", "unsent")),
              time.time() - d.start))
    return 0


# --- the checks ---------------------------------------------------------

def sql(db, query):
    out = subprocess.run(["sqlite3", "-readonly", "-batch", "-noheader",
                          "-separator", "|", db, query],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=False, timeout=120)
    if out.returncode != 0:
        raise SystemExit("chaos.py: sqlite3: %s" %
                         out.stderr.decode(errors="replace").strip())
    return [ln.split("|") for ln in
            out.stdout.decode(errors="replace").splitlines()]


def fake_loss(a, journal, boxes):
    """The negative control: one message never sent, one file twice."""
    journal.append({"id": "never.sent@chaos.client", "kind": "new",
                    "scen": -1, "from": "cust+x@example.com",
                    "rcpts": ["support@example.com"],
                    "expect": {"support": 1}, "alt": {"support": 1},
                    "status": "sent", "attempts": 1, "temp": 0,
                    "ambiguous": 0, "done_rcpts": []})
    for cid, copies in sorted(boxes.copies.items()):
        if len(copies) == 1 and copies[0][0] == "support" and \
                cid.startswith("new."):
            src = copies[0][2]
            dst = os.path.join(os.path.dirname(src),
                               "chaos-dup." + os.path.basename(src))
            shutil.copyfile(src, dst)
            return


def check_messages(a, journal, boxes, res):
    """Every message delivered exactly once where it belongs."""
    recorded = {r[0]: r[1] for r in sql(a.db, "SELECT survey_id, grade "
                                        "FROM csat")}
    for k in ("sent", "delivered", "lost", "duplicated", "misrouted",
              "unfiltered", "refused", "gave_up", "unsure", "clicks",
              "clicks_recorded", "clicks_passed"):
        res[k] = 0
    bad = []
    for r in journal:
        if r["status"] == "refused":
            res["refused"] += 1
            bad.append("refused %s: %s" % (r["id"], r.get("detail")))
            continue
        if r["status"] != "sent":
            res["gave_up"] += 1
            bad.append("gave up %s" % r["id"])
            continue
        res["sent"] += 1
        copies = boxes.copies.get(r["id"], [])
        got = {}
        for box, _, _ in copies:
            got[box] = got.get(box, 0) + 1
        unfiltered = any(not f for _, f, _ in copies)
        want = r["expect"]
        if r["kind"] == "click":
            res["clicks"] += 1
            ok = str(r.get("survey")) in recorded
            res["clicks_recorded"] += ok
            if not ok:
                want = r["alt"] if a.mode == "accept" else {"recorded": 1}
                res["clicks_passed"] += a.mode == "accept" and \
                    got == r["alt"]
        elif unfiltered and a.mode == "accept":
            want = r["alt"]
        if unfiltered and a.mode != "accept":
            res["unfiltered"] += 1
            bad.append("unfiltered %s: %s" % (r["id"], got))
        lost = any(got.get(b, 0) < n for b, n in want.items())
        dup = any(got.get(b, 0) > want.get(b, 0) for b in got
                  if b in want)
        mis = any(b not in want for b in got)
        if r["ambiguous"] and dup and not lost and not mis:
            res["unsure"] += 1
            continue
        res["lost"] += lost
        res["duplicated"] += dup
        res["misrouted"] += mis
        if lost or dup or mis:
            bad.append("%s %s (%s): want %s, got %s" % (
                "lost" if lost else "duplicated" if dup else "misrouted",
                r["id"], r["kind"], want, got))
        else:
            res["delivered"] += 1
    return bad


def check_tickets(a, journal, boxes, res):
    """New tickets, threads, acknowledgements, surveys, outbox."""
    bad = []
    msgs = {row[0]: row[1] for row in sql(a.db, "SELECT message_id, "
                                          "ticket_id FROM messages")}
    suppressed = {row[0] for row in sql(
        a.db, "SELECT ticket_id FROM events WHERE kind = 'ack-suppressed'")}
    res["new_sent"] = res["tickets"] = res["acks"] = 0
    res["acks_suppressed"] = res["acks_wrong"] = 0
    res["tickets_missing"] = res["tickets_shared"] = 0
    res["misthreaded"] = 0
    owner = {}
    scen_ticket = {}
    # with "accept", a conversation that had mail pass the milter by may
    # rightly go on in another ticket: that mail was never recorded
    skip = set()
    for r in journal:
        if a.mode == "accept" and not all(
                f for _, f, _ in boxes.copies.get(r["id"], [])):
            skip.add(r["scen"])
    for r in journal:
        if r["status"] != "sent" or r["kind"] == "click":
            continue
        t = msgs.get(r["id"])
        passed = all(f for _, f, _ in boxes.copies.get(r["id"], []))
        if r["kind"] == "new":
            res["new_sent"] += 1
            if t is None:
                if a.mode == "accept" and not passed:
                    continue
                res["tickets_missing"] += 1
                bad.append("no ticket for new mail %s" % r["id"])
                continue
            res["tickets"] += 1
            if t in owner:
                res["tickets_shared"] += 1
                bad.append("%s and %s share ticket %s" % (
                    owner[t], r["id"], t))
            owner[t] = r["id"]
            n = len(boxes.acks.get(r["id"], []))
            res["acks"] += n
            want = 0 if t in suppressed else 1
            res["acks_suppressed"] += t in suppressed
            if n != want:
                res["acks_wrong"] += 1
                bad.append("ticket %s (%s): %d acknowledgements, want %d"
                           % (t, r["id"], n, want))
        if t is not None and r["scen"] not in skip:
            s = scen_ticket.setdefault(r["scen"], t)
            if s != t:
                res["misthreaded"] += 1
                bad.append("%s (%s) in ticket %s, its conversation in %s"
                           % (r["id"], r["kind"], t, s))
    return bad


def check_outbox(a, boxes, res):
    """Worker mail: every row sent arrived once; surveys per resolution."""
    bad = []
    rows = sql(a.db, "SELECT id, kind, ticket_id, message_id, state "
               "FROM outbox")
    res["outbox_sent"] = res["outbox_lost"] = res["outbox_dup"] = 0
    res["outbox_left"] = res["outbox_failed"] = 0
    res["surveys"] = 0
    known = set()
    sent_surveys = {}
    for oid, kind, tid, mid, state in rows:
        known.add(mid)
        n = len(boxes.by_msgid.get(mid, []))
        if state in ("pending", "sending"):
            res["outbox_left"] += 1
            bad.append("outbox %s (%s) still %s" % (oid, kind, state))
        elif state == "failed":
            res["outbox_failed"] += 1
            bad.append("outbox %s (%s) failed" % (oid, kind))
        if state == "sent":
            res["outbox_sent"] += 1
            if n == 0:
                res["outbox_lost"] += 1
                bad.append("outbox %s (%s, ticket %s) sent, not "
                           "delivered" % (oid, kind, tid))
        if n > 1:
            res["outbox_dup"] += 1
            bad.append("outbox %s (%s, ticket %s) delivered %d times"
                       % (oid, kind, tid, n))
        if kind == "csat" and n > 0:
            res["surveys"] += 1
            sent_surveys[tid] = sent_surveys.get(tid, 0) + n
    res["worker_unknown"] = sum(len(v) for k, v in boxes.by_msgid.items()
                                if k not in known)
    res["stray"] = len(boxes.stray)
    resolutions = {}
    for (tid,) in sql(a.db, "SELECT ticket_id FROM events WHERE kind = "
                      "'status' AND detail = 'resolved'"):
        resolutions[tid] = resolutions.get(tid, 0) + 1
    res["resolutions"] = sum(resolutions.values())
    res["surveys_over"] = 0
    for tid, n in sent_surveys.items():
        if n > resolutions.get(tid, 0):
            res["surveys_over"] += 1
            bad.append("ticket %s: %d surveys, %d resolutions" % (
                tid, n, resolutions.get(tid, 0)))
    return bad


def check(a):
    with open(a.journal) as f:
        journal = json.load(f)
    boxes = Boxes(a.mail)
    boxes.refresh()
    if a.fake_loss:
        fake_loss(a, journal, boxes)
        boxes = Boxes(a.mail)
        boxes.refresh()
    res = {}
    bad = check_messages(a, journal, boxes, res)
    bad += check_tickets(a, journal, boxes, res)
    bad += check_outbox(a, boxes, res)
    ic = sql(a.db, "PRAGMA integrity_check")
    res["integrity"] = "ok" if ic == [["ok"]] else "bad"
    if res["integrity"] != "ok":
        bad.append("integrity_check: %s" % ic[:5])
    lines = ["%s %s" % kv for kv in sorted(res.items())]
    if a.result:
        with open(a.result, "w") as f:
            f.write("\n".join(lines) + "\n")
    for b in bad[:40]:
        print("problem: " + b)
    if len(bad) > 40:
        print("problem: ... %d more" % (len(bad) - 40))
    for ln in lines:
        print(ln)
    return 0


def main(argv):
    p = argparse.ArgumentParser(prog="chaos.py")
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("drive")
    d.add_argument("--mx", type=int, required=True)
    d.add_argument("--sub", type=int, required=True)
    d.add_argument("--mail", required=True)
    d.add_argument("--journal", required=True)
    d.add_argument("--seconds", type=float, default=120)
    d.add_argument("--grace", type=float, default=90)
    d.add_argument("--seed", type=int, default=1)
    d.add_argument("--sessions", type=int, default=32)
    d.add_argument("--bursts", type=int)
    c = sub.add_parser("check")
    c.add_argument("--mail", required=True)
    c.add_argument("--journal", required=True)
    c.add_argument("--db", required=True)
    c.add_argument("--mode", choices=("tempfail", "accept"),
                   default="tempfail")
    c.add_argument("--result")
    c.add_argument("--fake-loss", action="store_true")
    a = p.parse_args(argv[1:])
    socket.setdefaulttimeout(SMTP_TIMEOUT)
    return drive(a) if a.cmd == "drive" else check(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
