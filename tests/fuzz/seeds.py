#!/usr/bin/env python3
# seeds.py - build the seed corpora of the fuzz targets at run time
#
# PURPOSE	scripts/fuzz.sh calls this to fill OUT/<target>/ for each
#		target in tests/fuzz/ from the shared test mail
#		(../shared/corpus, see its README.md) and from the project's
#		own samples and tests, so that nothing from the corpus is
#		copied into the repository.
# DESIGN	One file per seed, named by the SHA-1 of its bytes as
#		libFuzzer names its own, so duplicates collapse.  Messages
#		are files whose first line is a header field or an mbox
#		"From " line; subjects are taken from them the way the
#		milter passes them (CRLF and CR made LF, folds kept, the
#		leading space kept), and also decoded for the prefix target.
#		Configuration seeds are config/postdesk.conf.sample, the
#		"<<CONF" here-documents of the shell tests and the C string
#		literals of tests/unit/*.c that hold a configuration.
#		Template seeds are the Mustache specification's templates
#		and partials and templates/LANG/NAME.  Files over 1 MiB are
#		left out.
# USAGE		seeds.py CORPUS TOP OUT  (CORPUS may be missing: then only
#		the project's own seeds are written)
#
# SPDX-License-Identifier: MIT
import email.header
import hashlib
import json
import os
import re
import sys

SEED_MAX = 1024 * 1024
TARGETS = ("subject", "prefix", "cmd", "csat", "tmpl", "conf", "message")


class Seeds:
    """Writes seeds into OUT/<target>/, counting them."""

    def __init__(self, out):
        self.out = out
        self.count = dict((t, 0) for t in TARGETS)
        for t in TARGETS:
            os.makedirs(os.path.join(out, t), exist_ok=True)

    def add(self, target, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        if len(data) > SEED_MAX:
            return
        name = hashlib.sha1(data).hexdigest()
        path = os.path.join(self.out, target, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
            self.count[target] += 1


def files_under(top):
    """Every regular file under top, sorted, without symlinks."""
    for root, dirs, names in os.walk(top):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(root, n)
            if os.path.isfile(p) and not os.path.islink(p):
                yield p


def read(path):
    with open(path, "rb") as f:
        return f.read(SEED_MAX + 1)


HEADER_LINE = re.compile(rb"^(From |[!-9;-~]+:)")


def is_message(data):
    return HEADER_LINE.match(data) is not None


def lf(data):
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def header_and_body(data):
    """The header block and the body of a message, line ends made LF."""
    text = lf(data)
    if text.startswith(b"From "):
        text = text.split(b"\n", 1)[1] if b"\n" in text else b""
    head, sep, body = text.partition(b"\n\n")
    return head, body


def subject_of(head):
    """The first Subject value as the milter passes it, or None."""
    m = re.search(rb"(?im)^subject:(.*(?:\n[ \t].*)*)", head)
    return m.group(1) if m else None


def decoded(raw):
    """The subject decoded to UTF-8 text, as well as Python can."""
    try:
        text = str(email.header.make_header(email.header.decode_header(
            raw.decode("utf-8", "surrogateescape"))))
    except (ValueError, LookupError, UnicodeError):
        return None
    return text.replace("\n", "").encode("utf-8", "surrogateescape")


def corpus_mail(s, corpus):
    """Messages, subjects and bodies from the shared corpus."""
    for path in files_under(corpus):
        data = read(path)
        if len(data) > SEED_MAX:
            continue
        reply_text = "/talon/" in path or "/email-reply-parser/" in path
        if not is_message(data):
            if reply_text:
                s.add("cmd", data)
                s.add("csat", data)
            continue
        s.add("message", data)
        head, body = header_and_body(data)
        subj = subject_of(head)
        if subj is not None:
            s.add("subject", subj)
            d = decoded(subj)
            if d is not None:
                s.add("prefix", d)
        if reply_text:
            s.add("cmd", body)
            s.add("csat", body)


def corpus_vectors(s, corpus):
    """Header-decoding vectors, also combined into small messages."""
    base = os.path.join(corpus, "stalwart-mail-parser")
    vec = {}
    for name in ("unstructured", "address", "id"):
        try:
            with open(os.path.join(base, name + ".json")) as f:
                vec[name] = [v["header"] for v in json.load(f)]
        except (OSError, ValueError, KeyError, TypeError):
            vec[name] = []
    for v in vec["unstructured"]:
        raw = v.replace("\r\n", "\n").rstrip("\n")
        s.add("subject", raw if raw.startswith(" ") else " " + raw)
        s.add("prefix", raw.strip())
    n = max(len(v) for v in vec.values()) if vec else 0
    for i in range(n):
        def pick(name):
            vs = vec[name]
            return vs[i % len(vs)].rstrip("\r\n") if vs else "x"
        s.add("message", "From: %s\nTo: support@example.com\n"
              "Message-ID: %s\nReferences: %s\nSubject: %s\n\nHello\n"
              % (pick("address"), pick("id"), pick("id"),
                 pick("unstructured")))


def mustache(s, corpus):
    """Templates and partials of the Mustache specification."""
    spec = os.path.join(corpus, "mustache-spec", "specs")
    if not os.path.isdir(spec):
        return
    for name in sorted(os.listdir(spec)):
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(spec, name)) as f:
                tests = json.load(f).get("tests", [])
        except (OSError, ValueError):
            continue
        for t in tests:
            if isinstance(t.get("template"), str):
                s.add("tmpl", t["template"])
            for p in (t.get("partials") or {}).values():
                if isinstance(p, str):
                    s.add("tmpl", p)


C_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"',
             "'": "'", "0": "\0", "a": "\a", "f": "\f", "v": "\v"}


def byte(v):
    """The character that surrogateescape encodes as the byte v."""
    v &= 0xff
    return chr(v) if v < 0x80 else chr(0xdc00 + v)


def c_unescape(body):
    """A C (or cases.in) escaped string; \\x and octal give raw bytes."""
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = body[i + 1]
        if e == "x":
            m = re.match(r"[0-9a-fA-F]+", body[i + 2:])
            out.append(byte(int(m.group(0), 16)))
            i += 2 + len(m.group(0))
        elif e in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(byte(int(m.group(0), 8)))
            i += 1 + len(m.group(0))
        else:
            out.append(C_ESCAPES.get(e, e))
            i += 2
    return "".join(out)


def c_literals(text):
    """Runs of adjacent C string literals and simple string macros."""
    macros = {}
    for m in re.finditer(r'(?m)^#define[ \t]+(\w+)[ \t]+((?:"[^\n]*")+)'
                         r'[ \t]*$', text):
        macros[m.group(1)] = "".join(
            c_unescape(x) for x in C_STRING.findall(m.group(2)))
    token = re.compile(r'\s*(?:"((?:[^"\\\n]|\\.)*)"|\b(%s)\b)' %
                       "|".join(map(re.escape, macros)) if macros
                       else r'\s*"((?:[^"\\\n]|\\.)*)"()')
    pos = 0
    while True:
        m = C_STRING.search(text, pos)
        if m is None:
            return
        parts = []
        pos = m.start()
        while True:
            t = token.match(text, pos)
            if t is None or (t.group(1) is None and not t.group(2)):
                break
            parts.append(c_unescape(t.group(1)) if t.group(1) is not None
                         else macros[t.group(2)])
            pos = t.end()
        yield "".join(parts)
        pos = max(pos, m.end())


CONF_SECTION = re.compile(r"(?m)^\[(general|milter|smtp|csat|digest|"
                          r"queue [^\]]*|sla [^\]]*)\]")


def project(s, top):
    """Seeds from the project itself: samples, tests, templates."""
    sample = os.path.join(top, "config", "postdesk.conf.sample")
    if os.path.isfile(sample):
        s.add("conf", read(sample))
    for sub in ("tests/e2e", "tests/unit"):
        d = os.path.join(top, sub)
        for path in files_under(d) if os.path.isdir(d) else []:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                text = f.read()
            if path.endswith(".sh"):
                for m in re.finditer(r"<<'?CONF'?\n(.*?)\nCONF\n", text,
                                     re.S):
                    s.add("conf", m.group(1) + "\n")
            elif path.endswith(".c"):
                for lit in c_literals(text):
                    if CONF_SECTION.search(lit):
                        s.add("conf", lit)
    tdir = os.path.join(top, "templates")
    for path in files_under(tdir) if os.path.isdir(tdir) else []:
        s.add("tmpl", read(path))
    golden = os.path.join(top, "tests", "golden", "subject", "cases.in")
    if os.path.isfile(golden):
        with open(golden, encoding="utf-8",
                  errors="surrogateescape") as f:
            for line in f:
                line = line.rstrip("\n")
                if line and not line.startswith("#"):
                    s.add("subject", c_unescape(line))


def handmade(s):
    """A few seeds written here for what the corpus lacks."""
    for p in ("AW: x", "WG: x", "SV: x", "VS: x", "Odp: x", "RE[2]: x",
              "Ответ: x", "Отв: Re: x", "回复：x", "Re^2: Fwd: x",
              "\u00a0Re:\u00a0x", "Re : Re: [PD-12-ABCD] x"):
        s.add("prefix", p)
        s.add("subject", " " + p)
    s.add("subject", " =?koi8-r?B?8NLJ18XU?= [PD-1042-K7QF]\n\tRe: x")
    for c in ("#resolve\n#priority high\n\nThanks, fixed.\n",
              "  #assign bob\r\n#merge [PD-12-ABCD]\r\n#note\r\n> quoted\n",
              "\ufeff#pending\n#open\n#reslove\n#1 is fixed\n",
              "<div>#resolve</div><div>#priority&nbsp;urgent<br>Hi</div>"
              "<blockquote>#open</blockquote>",
              "<html><head><title>#x</title></head><body><p>#note</p>"
              "<pre>#resolve\n#open\n</pre>&#35;assign a&#x40;b</body>"):
        s.add("cmd", c)
    for a in ("support+csat-17-4-0123456789abcdef@example.com",
              "<Support+CSAT-1-5-ABCDEFGHJKMNPQRS@Example.COM>",
              "support+csat-0-0-@example.com", "support@example.com",
              "4\n\n> How did we do?\n", "Very good, thanks!\n\nOn Mon, "
              "support wrote:\n> rate us\n"):
        s.add("csat", a)
    s.add("csat", b"\x11\x00\x00\x00\x00\x00\x00\x00\x04support@example.com")


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: seeds.py CORPUS TOP OUT\n")
        return 2
    corpus, top, out = argv[1:]
    s = Seeds(out)
    if os.path.isdir(corpus):
        corpus_mail(s, corpus)
        corpus_vectors(s, corpus)
        mustache(s, corpus)
    project(s, top)
    handmade(s)
    print("seeds: " + ", ".join("%s %d" % (t, s.count[t]) for t in TARGETS))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
