#!/usr/bin/env python3
# subject_check.py - check rewritten Subject values with Python's decoder
#
# PURPOSE  An independent second opinion on tests/tools/subject_golden
#          output: every rewritten value is decoded with the standard
#          library (email.header.decode_header + make_header), not with
#          postdesk's own decoder, and must read as
#              <reply prefixes> TAG <the original text without our tags>
#          with TAG exactly once, whitespace compared token by token.
#          Also checks the raw value: no CR, no NUL, every LF followed by
#          SP/TAB and text, lines <= 998 octets, a line over 78 characters
#          only when it is one unbreakable word, new encoded-words <= 75
#          characters, leading whitespace kept.
# USAGE    subject_check.py --tag TAG CASES_IN OUTPUT
#          Both files use the escaped one-value-per-line format of
#          subject_golden.c; '#' lines are comments; an output line
#          "#!error: ..." is a refusal (allowed only for input that cannot
#          be folded or is over 16 KB).  Exit status 0 when every case
#          passes, 1 otherwise; findings are printed as "# " lines.
#
# SPDX-License-Identifier: MIT
import argparse
import re
import sys
from email.header import decode_header, make_header

RAW_MAX = 16 * 1024
EW = re.compile(r'=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=')
OUR_TAG = re.compile(r'\[pd-0*[1-9][0-9]{0,14}-[0-9a-tv-z]{4}\]', re.I)
# Written independently of lib/pd_subject_prefix.c (same sources: the
# clients' own prefixes).
PREFIX_WORDS = (
    're fwd fw aw wg sv vs vl vb odp pd antw doorst tr rif r i enc res '
    'rv ynt ilt i\u0307lt vá továbbítás ответ отв пересл переслать απ '
    'σχετ πρθ תגובה השב 回复 回覆 答复 转发 轉寄 返信 転送').split()
PREFIX_ZONE = re.compile(
    r'^\s*(?:(?:%s)(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:\uff1a]\s*)*$'
    % '|'.join(sorted(map(re.escape, PREFIX_WORDS), key=len, reverse=True)))


def unescape(line):
    out = bytearray()
    b = line.encode('utf-8', 'surrogateescape')
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x5c and i + 1 < len(b):
            n = b[i + 1]
            if n in b'ntr\\':
                out += {ord('n'): b'\n', ord('t'): b'\t', ord('r'): b'\r',
                        ord('\\'): b'\\'}[n]
                i += 2
                continue
            if n == ord('x') and i + 3 < len(b) + 1:
                try:
                    out.append(int(b[i + 2:i + 4], 16))
                    i += 4
                    continue
                except ValueError:
                    pass
        out.append(c)
        i += 1
    return bytes(out)


def as_text(raw):
    """Bytes to str as a mail reader without charset knowledge would."""
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError:
        return raw.decode('latin-1')


def decode_word(word):
    try:
        (data, cs), = decode_header(word)
        return data.decode(cs or 'ascii')
    except Exception:           # unknown charset, bad base64 ...
        return None


def decode(raw):
    """Decoded, unfolded text of a raw value, by the standard library."""
    s = re.sub(r'\r?\n(?=[ \t])', '', as_text(raw))
    s = re.sub(r'[\r\n]+', ' ', s)    # not a fold: still a word break
    if not EW.search(s):
        return s
    if s.isascii():
        try:
            return str(make_header(decode_header(s)))
        except Exception:
            pass
    # Raw non-ASCII next to encoded-words (decode_header turns it into
    # \u escapes), or a word the library cannot decode: word by word,
    # undecodable words literal, whitespace between decoded words dropped.
    out, last, prev_ok = [], 0, False
    for m in EW.finditer(s):
        gap = s[last:m.start()]
        text = decode_word(m.group(0))
        if not (prev_ok and text is not None and gap.strip() == ''):
            out.append(gap)
        out.append(text if text is not None else m.group(0))
        prev_ok, last = text is not None, m.end()
    out.append(s[last:])
    return ''.join(out)


def raw_problems(raw_in, raw_out):
    p = []
    if b'\r' in raw_out or b'\0' in raw_out:
        p.append('CR or NUL in output')
    for i in [m.start() for m in re.finditer(b'\n', raw_out)]:
        rest = raw_out[i + 1:].split(b'\n')[0]
        if not rest[:1] in (b' ', b'\t') or not rest.strip():
            p.append('LF not followed by a continuation line')
    for n, line in enumerate(raw_out.split(b'\n')):
        width = len(line) + (8 if n == 0 else 0)
        if width > 998:
            p.append('line over 998 octets')
        elif width > 78 and len(line.split()) > (1 if n else 1):
            p.append('line of %d characters could be folded' % width)
    lead = re.match(rb'[ \t]*', raw_in).group(0)
    if not raw_out.startswith(lead):
        p.append('leading whitespace not kept')
    words_in = set(EW.findall(as_text(raw_in)))
    for m in EW.finditer(as_text(raw_out)):
        if m.groups() not in words_in and len(m.group(0)) > 75:
            p.append('new encoded-word over 75 characters')
    return p


def tokens(s):
    return s.split()


def same_text(before, after, want):
    a, b, w = tokens(before), tokens(after), tokens(want)
    if a + b == w:
        return True
    # "Re:x" becomes "Re: TAG x": the word around the tag was split.
    return bool(a and b and a[:-1] + [a[-1] + b[0]] + b[1:] == w)


def prefix_only(text, raw_in):
    if PREFIX_ZONE.match(text.lower()):
        return True
    # Undeclared 8-bit input was read as latin-1 above; a Cyrillic prefix
    # in it is recognisable in one of the charsets such mail uses.
    for cs in ('cp1251', 'koi8_r'):
        try:
            t = text.encode('latin-1').decode(cs)
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if PREFIX_ZONE.match(t.lower()):
            return True
    return False


def check_case(raw_in, raw_out, tag):
    p = raw_problems(raw_in, raw_out)
    want = OUR_TAG.sub(' ', decode(raw_in))
    got = decode(raw_out)
    if got.count(tag) != 1:
        return p + ['tag %s found %d times' % (tag, got.count(tag))]
    before, after = got.split(tag)
    if OUR_TAG.search(before + ' ' + after):
        p.append('another of our tags left')
    if not prefix_only(before, raw_in):
        p.append('text before the tag is not just prefixes: %r' % before)
    if not same_text(before, after, want):
        p.append('decoded text differs: want %r, got %r' % (want, got))
    return p


def refusal_ok(raw_in):
    return len(raw_in) > RAW_MAX or any(len(w) > 990 for w in raw_in.split())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tag', required=True)
    ap.add_argument('cases')
    ap.add_argument('output')
    a = ap.parse_args()
    ins = open(a.cases, encoding='utf-8',
               errors='surrogateescape').read().split('\n')
    outs = open(a.output, encoding='utf-8',
                errors='surrogateescape').read().split('\n')
    bad = []
    if len(ins) != len(outs):
        bad.append((0, 'output has %d lines, cases %d' % (len(outs),
                                                         len(ins))))
    checked = 0
    for n, (li, lo) in enumerate(zip(ins, outs), 1):
        if li.startswith('#') or (li == '' and n == len(ins)):
            if li != lo:
                bad.append((n, 'comment line changed'))
            continue
        raw_in = unescape(li)
        checked += 1
        if lo.startswith('#!error'):
            if not refusal_ok(raw_in):
                bad.append((n, 'refused: ' + lo))
            continue
        for what in check_case(raw_in, unescape(lo), a.tag):
            bad.append((n, what))
    print('# subject_check: %d values checked, %d findings'
          % (checked, len(bad)))
    for n, what in bad[:20]:
        print('#   line %d: %s' % (n, what))
    return 1 if bad or checked == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
