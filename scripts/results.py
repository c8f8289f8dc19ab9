#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn guest console logs into TAP, and TAP files into summaries.

  results.py collect --boot B --plan PLAN CONSOLE   -> TAP on stdout
  results.py summary --variant V [--partial] TAP... -> per-variant summary
  results.py table --out FILE RESULTDIR...          -> markdown test x variant
  results.py skips [--new] RESULTDIR...             -> candidate expected skips
  results.py final SUMMARY...                       -> the last line of make check

A result has a status: pass, fail, skip, xfail (expected failure, counted
as passed) or xpass (unexpected pass of an expected failure, counted as
failed). Leaves are what is counted: the subtests of a test, or the test
itself when it has none. A test with subtests that failed is also a leaf
of its own, named after the test (e.g. emu/cc-heap), unless its failure is
only the exit status its failing subtests caused (see own_failure()).

tests/expected-failures lists the failures a variant is expected to have;
an entry may accept only a failure whose reason matches its REASON-REGEX.
An entry for the summarised variant that matches no result is STALE, and
counted as a failure, so that it cannot hide a later failure unseen.

tests/expected-skips lists the skips a variant is expected to have; any
other skip counts as a failure ("unexpected skip: REASON"), so that a
missing feature cannot pass as a skip. `results.py skips` prints the skips
of real results in that file's format, to review and paste.
"""
import argparse
import fnmatch
import os
import re
import sys

RESULT_RE = re.compile(r'^(?P<indent>[ ]*)(?P<not>not )?ok (?P<num>\d+)(?: -)? ?(?P<name>[^#]*?)\s*(?:#\s*(?P<dir>.*))?$')
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Result:
    def __init__(self, name, status, reason=''):
        self.name, self.status, self.reason = name, status, reason
        self.subtests = []

    def tap(self, num):
        ok = 'ok' if self.status in ('pass', 'skip', 'xpass') else 'not ok'
        d = ''
        if self.status == 'skip':
            d = ' # SKIP ' + self.reason
        elif self.reason:
            d = ' # ' + self.reason
        return '%s %d %s%s' % (ok, num, self.name, d)


def parse_line(line):
    """Parse a TAP result line: (indent, Result) or None."""
    m = RESULT_RE.match(line.rstrip('\r\n'))
    if not m:
        return None
    d = (m.group('dir') or '').strip()
    if m.group('not'):
        status = 'fail'
    elif d.upper().startswith('SKIP'):
        status = 'skip'
        d = d[4:].strip()
    else:
        status = 'pass'
    return len(m.group('indent')), Result(m.group('name').strip(), status, d)


# Upstream's dmabuf-heaps selftest runs the same cases for every heap and
# announces each heap with this line; it scopes the names that follow.
SCOPE_RE = re.compile(r'^\s*# Testing heap: (\S+)')


def nested_results(block):
    """Results nested in a test's output, names scoped by heap if given."""
    out, scope = [], None
    for line in block:
        m = SCOPE_RE.match(line)
        if m:
            scope = m.group(1)
            continue
        q = parse_line(line)
        if q and q[0] > 0:
            if scope:
                q[1].name = '[%s] %s' % (scope, q[1].name)
            out.append(q)
    return out


def parse_tap(lines):
    """Top-level results with their first level of nested subtests."""
    tests, block = [], []
    for line in lines:
        p = parse_line(line)
        if p and p[0] == 0:
            res = p[1]
            nested = nested_results(block)
            if nested:
                lvl = min(q[0] for q in nested)
                res.subtests = [q[1] for q in nested if q[0] == lvl]
            tests.append(res)
            block = []
        elif line.startswith(' '):
            block.append(line)
        else:
            block = []
    return tests


def read_plan(path):
    names = []
    with open(path) as f:
        for line in f:
            if line.strip() and not line.lstrip().startswith('#'):
                names.append(line.split()[0])
    return names


# Console lines of a kernel crash: the printk time stamp, the first line
# of the report, the faulting instruction and the panic itself.
STAMP_RE = re.compile(r'^\[\s*\d+\.\d+\]\s*')
REPORT_RE = re.compile(r'BUG:|Oops|general protection fault|kernel BUG at|'
                       r'Unable to handle kernel')
RIP_RE = re.compile(r'\b(?:RIP|PC is at|pc :|epc :)')
PANIC_RE = re.compile(r'Kernel panic - not syncing: ?(.*)')


def panic_reason(lines):
    """'kernel panic: REPORT; RIP' from a console, as much as it shows.

    The reason of the tests a panic cut off, so that an expected failure
    can accept one known crash (its reason regex) and not any other.
    """
    report = rip = msg = None
    for line in lines:
        # Kernel lines start in column 0; the tests' output is indented,
        # and result lines may quote earlier reports (# dmesg: BUG: ...).
        if line[:1] in (' ', '\t', '#') or parse_line(line):
            continue
        line = STAMP_RE.sub('', line.strip())
        m = PANIC_RE.search(line)
        if m:
            msg = msg or m.group(1).strip()
            continue
        if report is None and REPORT_RE.search(line):
            report = line
        elif rip is None and RIP_RE.match(line):
            rip = line
    parts = [x for x in (report, rip) if x]
    if parts:
        return 'kernel panic: ' + '; '.join(parts)
    return 'kernel panic: not syncing: ' + msg if msg else 'kernel panic'


def collect(args):
    with open(args.console, errors='replace') as f:
        lines = f.read().splitlines()
    start = next((i for i, l in enumerate(lines) if l.strip() == 'TAP version 13'), None)
    done = any(l.strip() == 'ccheap-runner: done' for l in lines)
    tests = parse_tap(lines[start:]) if start is not None else []
    tests = [t for t in tests if t.name]
    expected = ['boot'] + read_plan(args.plan)
    out = ['TAP version 13', '1..%d' % len(expected)]
    for l in lines:
        if l.startswith('# ccheap-runner: '):
            out.append(l)
    why = ''
    if not done:
        if any('ccheap-host: timeout' in l for l in lines):
            why = 'guest hung (timeout)'
        elif any('Kernel panic' in l for l in lines):
            why = panic_reason(lines)
        else:
            why = 'guest stopped before the runner finished'
    got = {t.name: t for t in tests}
    for i, name in enumerate(expected, 1):
        t = got.get(name)
        if t is None:
            t = Result(name, 'fail', why or 'no result from the guest')
        t.name = '%s/%s' % (args.boot, name)
        for j, s in enumerate(t.subtests, 1):
            out.append('    ' + s.tap(j))
        out.append(t.tap(i))
    if why:
        out.append('# %s; console tail:' % why)
        out.extend('#   ' + l for l in lines[-30:])
    print('\n'.join(out))
    return 0


class Entry:
    """A line of tests/expected-failures or tests/expected-skips."""

    def __init__(self, where, variant, name, why, reason=None):
        self.where, self.variant, self.name, self.why = where, variant, name, why
        self.reason = reason

    def matches(self, variant, leaf):
        return fnmatch.fnmatchcase(variant, self.variant) and fnmatch.fnmatchcase(leaf, self.name)


def read_entries(path, maxfields):
    """Yield (where, fields) for the lines of an expectations file.

    Fields are separated by tabs (names have spaces); a line without tabs
    is split at whitespace, its last field taking the rest of the line.
    Fewer than three fields is an error, naming the line.
    """
    if not os.path.exists(path):
        return
    with open(path) as f:
        for num, line in enumerate(f, 1):
            if line.lstrip().startswith('#') or not line.strip():
                continue
            line = line.rstrip('\n')
            if '\t' in line:
                fields = [x.strip() for x in line.split('\t') if x.strip()]
            else:
                fields = line.split(None, maxfields - 1)
            where = '%s:%d' % (os.path.relpath(path), num)
            if not 3 <= len(fields) <= maxfields:
                raise SystemExit('error: %s: want %d to %d tab-separated fields, got %d' %
                                 (where, 3, maxfields, len(fields)))
            yield where, fields


def load_expected(path):
    """tests/expected-failures: VARIANT-GLOB NAME-GLOB LEDGER-ID [REASON-REGEX]"""
    exp = []
    for where, fields in read_entries(path, 4):
        reason = None
        if len(fields) == 4:
            try:
                reason = re.compile(fields[3])
            except re.error as e:
                raise SystemExit('error: %s: bad REASON-REGEX: %s' % (where, e))
        exp.append(Entry(where, fields[0], fields[1], fields[2], reason))
    return exp


def load_skips(path):
    """tests/expected-skips: VARIANT-GLOB RESULT-NAME-GLOB WHY"""
    return [Entry(where, *fields) for where, fields in read_entries(path, 3)]


def glob_escape(name):
    """name as an fnmatch glob that matches only itself"""
    return re.sub(r'([*?[])', r'[\1]', name)


def match_expected(exp, variant, leaf, reason=None):
    """The expected-failure entry for leaf on variant, or None.

    With reason (a failure's reason), an entry with a REASON-REGEX matches
    only if the regex is found in it; without, any entry for the name.
    """
    for e in exp:
        if e.matches(variant, leaf) and (reason is None or e.reason is None or
                                         e.reason.search(reason)):
            return e
    return None


# What a test exits with when some of its subtests failed: kselftest's
# KSFT_FAIL, the KUnit runner's and cli-check's status.
SUBTESTS_FAILED = 'exit status 1'


def own_failure(t):
    """Does test t's own line count as a leaf next to its subtests?

    The rule: a test without subtests is always its own leaf. A test with
    subtests is one too when it failed, unless the failure is only "exit
    status 1" while some subtest failed: a kselftest exits 1 (KSFT_FAIL)
    when a subtest fails, so that status is the subtests' failure counted
    again (and an expected failure of a subtest would turn into a failure
    of the test). Every other reason is a failure of the test itself and
    always counts, whatever its subtests did: a kernel report after the
    test's mark (dmesg: ...), a timeout, a panic or hang of the guest, no
    result at all, another exit status (a crash: 139), and exit status 1
    while no subtest failed. Only an expected-failure entry matching the
    test's own name excuses it.
    """
    if not t.subtests:
        return True
    if t.status != 'fail':
        return False
    if t.reason == SUBTESTS_FAILED and any(s.status == 'fail' for s in t.subtests):
        return False
    return True


def leaves(tests, variant, exp, skips=None):
    """Yield (leaf name, status, reason) with expectations applied.

    The leaves of a test are its subtests (TEST:SUBTEST), and the test
    itself (TEST) when own_failure() says so. With skips (expected-skip
    entries), a skip that none of them matches is a failure.
    """
    for t in tests:
        items, seen = [], {}
        for s in t.subtests:
            # Some suites reuse a description; number repeats to keep names unique.
            seen[s.name] = seen.get(s.name, 0) + 1
            name = s.name if seen[s.name] == 1 else '%s (%d)' % (s.name, seen[s.name])
            items.append(('%s:%s' % (t.name, name), s.status, s.reason))
        if own_failure(t):
            items.append((t.name, t.status, t.reason))
        for name, status, reason in items:
            if status == 'fail':
                e = match_expected(exp, variant, name, reason)
                if e:
                    status, reason = 'xfail', 'expected on %s: %s' % (variant, e.why)
                else:
                    e = match_expected(exp, variant, name)
                    if e:
                        reason += ' (not the failure %s expects: /%s/)' % (e.why, e.reason.pattern)
            elif status == 'pass':
                e = match_expected(exp, variant, name)
                if e:
                    status, reason = 'xpass', 'expected to fail on %s (%s) but passed' % (variant, e.why)
            elif status == 'skip' and skips is not None:
                if not any(e.matches(variant, name) for e in skips):
                    status, reason = 'fail', 'unexpected skip: %s' % (reason or 'no reason given')
            yield name, status, reason


def stale_entries(exp, variant, tests, names, partial=False):
    """Expected-failure entries for variant that match no result of it.

    Such an entry cannot excuse anything today, and would silently excuse
    a later failure: it is reported and counted as a failure. Not stale
    are entries of tests whose subtests are unknown (the test failed
    without reporting any: crash, hang), and, with partial (a selection
    of the plan ran: TESTS=, PLAN=), entries of tests that did not run.
    The test part of an entry's name is what comes before its first ':'.
    """
    unknown = [t.name for t in tests if t.status == 'fail' and not t.subtests]
    ran = [t.name for t in tests]
    out = []
    for e in exp:
        if not fnmatch.fnmatchcase(variant, e.variant):
            continue
        if any(fnmatch.fnmatchcase(n, e.name) for n in names):
            continue
        test, sub = e.name.split(':', 1)[0], ':' in e.name
        if sub and any(fnmatch.fnmatchcase(t, test) for t in unknown):
            continue
        if partial and not any(fnmatch.fnmatchcase(t, test) for t in ran):
            continue
        out.append(e)
    return out


def count(items):
    c = {'passed': 0, 'failed': 0, 'skipped': 0, 'xfail': 0}
    for _, status, _ in items:
        if status in ('pass', 'xfail'):
            c['passed'] += 1
        if status == 'xfail':
            c['xfail'] += 1
        if status in ('fail', 'xpass'):
            c['failed'] += 1
        if status == 'skip':
            c['skipped'] += 1
    return c


def summary(args):
    exp = load_expected(args.expected)
    skips = load_skips(args.expected_skips)
    items, tests = [], []
    for path in args.tap:
        with open(path) as f:
            t = parse_tap(f.read().splitlines())
        tests += t
        items += list(leaves(t, args.variant, exp, skips))
    stale = stale_entries(exp, args.variant, tests, [n for n, _, _ in items], args.partial)
    c = count(items)
    c['failed'] += len(stale)
    shown = ('fail', 'xpass', 'skip', 'xfail') if args.verbose else ('fail', 'xpass', 'xfail')
    for name, status, reason in items:
        if status in shown:
            print('  %-5s %s%s' % (status.upper(), name, ' (%s)' % reason if reason else ''))
    for e in stale:
        print('  STALE %s (expected failure %s, %s: matches no result on %s)' %
              (e.name, e.why, e.where, args.variant))
    print('%s: %d passed, %d failed, %d skipped (%d expected failures)' %
          (args.variant, c['passed'], c['failed'], c['skipped'], c['xfail']))
    return 1 if c['failed'] else 0


def final(args):
    tot = {'passed': 0, 'failed': 0, 'skipped': 0}
    rx = re.compile(r'^(\S+): (\d+) passed, (\d+) failed, (\d+) skipped')
    missing = []
    for path in args.summary:
        m = None
        if os.path.exists(path):
            with open(path) as f:
                for line in f:
                    m = rx.match(line) or m
        if not m:
            missing.append(path)
            tot['failed'] += 1
            continue
        tot['passed'] += int(m.group(2))
        tot['failed'] += int(m.group(3))
        tot['skipped'] += int(m.group(4))
    for p in missing:
        print('no summary in %s: counted as one failure' % os.path.relpath(p))
    line = '%d passed, %d failed' % (tot['passed'], tot['failed'])
    if tot['skipped']:
        line += ', %d skipped' % tot['skipped']
    print(line)
    return 1 if tot['failed'] else 0


SYMBOL = {'pass': 'pass', 'fail': '**FAIL**', 'skip': 'skip', 'xfail': 'fail (expected: %s)',
          'xpass': '**PASS (expected fail)**'}


def result_taps(resultdir):
    """(variant, TAP lines) of each TAP file of a result directory"""
    v = os.path.basename(os.path.normpath(resultdir))
    for fn in sorted(os.listdir(resultdir)):
        if fn.endswith('.tap'):
            with open(os.path.join(resultdir, fn)) as f:
                yield v, f.read().splitlines()


def table(args):
    exp = load_expected(args.expected)
    skips = load_skips(args.expected_skips)
    variants, rows = [], {}
    for d in args.resultdir:
        variants.append(os.path.basename(os.path.normpath(d)))
        for v, lines in result_taps(d):
            for name, status, reason in leaves(parse_tap(lines), v, exp, skips):
                cell = SYMBOL[status]
                if status == 'xfail':
                    cell = cell % reason.split(': ', 1)[1]
                elif reason.startswith('unexpected skip: '):
                    cell = '**SKIP (unexpected)**'
                rows.setdefault(name, {})[v] = cell
    out = ['# ccheap results: test x variant', '',
           'Generated by `make table` (scripts/results.py) from build/results.', '',
           '| test | ' + ' | '.join(variants) + ' |',
           '|---|' + '---|' * len(variants)]
    for name in sorted(rows):
        out.append('| %s | %s |' % (name, ' | '.join(rows[name].get(v, '-') for v in variants)))
    text = '\n'.join(out) + '\n'
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def skips(args):
    """Print the skips of result directories as lines of tests/expected-skips."""
    known = load_skips(args.expected_skips) if args.new else []
    for d in args.resultdir:
        out = []
        for v, lines in result_taps(d):
            for name, status, reason in leaves(parse_tap(lines), v, []):
                if status == 'skip' and not any(e.matches(v, name) for e in known):
                    out.append('%s\t%s\t%s' % (v, glob_escape(name), reason or 'no reason given'))
        print('# %s skips in %s' % ('new' if args.new else 'all', os.path.relpath(d)))
        print('\n'.join(out) if out else '# (none)')
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('collect')
    p.add_argument('--boot', required=True)
    p.add_argument('--plan', required=True)
    p.add_argument('console')
    p.set_defaults(fn=collect)
    exp = os.path.join(TOP, 'tests', 'expected-failures')
    exp_skips = os.path.join(TOP, 'tests', 'expected-skips')
    p = sub.add_parser('summary')
    p.add_argument('--variant', required=True)
    p.add_argument('--expected', default=exp)
    p.add_argument('--expected-skips', default=exp_skips)
    p.add_argument('--verbose', action='store_true', help='list skips too')
    p.add_argument('--partial', action='store_true',
                   help='the results are a selection of the plan: expected failures '
                   'of tests that did not run are not stale')
    p.add_argument('tap', nargs='+')
    p.set_defaults(fn=summary)
    p = sub.add_parser('table')
    p.add_argument('--expected', default=exp)
    p.add_argument('--expected-skips', default=exp_skips)
    p.add_argument('--out')
    p.add_argument('resultdir', nargs='+')
    p.set_defaults(fn=table)
    p = sub.add_parser('skips', help='print the skips found as tests/expected-skips lines')
    p.add_argument('--expected-skips', default=exp_skips)
    p.add_argument('--new', action='store_true', help='only skips no entry expects yet')
    p.add_argument('resultdir', nargs='+')
    p.set_defaults(fn=skips)
    p = sub.add_parser('final')
    p.add_argument('summary', nargs='+')
    p.set_defaults(fn=final)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == '__main__':
    sys.exit(main())
