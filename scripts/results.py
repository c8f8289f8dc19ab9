#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn guest console logs into TAP, and TAP files into summaries.

  results.py collect --boot B --plan PLAN CONSOLE   -> TAP on stdout
  results.py summary --variant V TAP...             -> per-variant summary
  results.py table --out FILE RESULTDIR...          -> markdown test x variant
  results.py final SUMMARY...                       -> the last line of make check

A result has a status: pass, fail, skip, xfail (expected failure, counted
as passed) or xpass (unexpected pass of an expected failure, counted as
failed). Leaves are what is counted: the subtests of a test, or the test
itself when it has none. A test with subtests that failed is also a leaf
of its own, named after the test (e.g. emu/cc-heap), unless its failure is
only the exit status its failing subtests caused (see leaves()).
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
            why = 'kernel panic'
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


def load_expected(path):
    exp = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.lstrip().startswith('#') or not line.strip():
                    continue
                fields = [x.strip() for x in line.rstrip('\n').split('\t') if x.strip()]
                if len(fields) < 3:
                    fields = line.split()
                if len(fields) >= 3:
                    exp.append((fields[0], fields[1], fields[2]))
    return exp


def match_expected(exp, variant, leaf):
    for v, pat, ledger in exp:
        if fnmatch.fnmatchcase(variant, v) and fnmatch.fnmatchcase(leaf, pat):
            return ledger
    return None


EXIT_STATUS_RE = re.compile(r'^exit status \d+$')


def own_failure(t):
    """Does test t's own line count as a leaf next to its subtests?

    The rule: a test without subtests is always its own leaf. A test with
    subtests is one too when it failed, unless the failure is only an
    "exit status N" while some subtest failed: a kselftest exits nonzero
    when a subtest fails, so that status is the subtests' failure counted
    again (and an expected failure of a subtest would turn into a failure
    of the test). Every other reason is a failure of the test itself and
    always counts, whatever its subtests did: a kernel report after the
    test's mark (dmesg: ...), a timeout, a panic or hang of the guest, no
    result at all, and an exit status while no subtest failed. Only an
    expected-failure entry matching the test's own name excuses it.
    """
    if not t.subtests:
        return True
    if t.status != 'fail':
        return False
    if EXIT_STATUS_RE.match(t.reason) and any(s.status == 'fail' for s in t.subtests):
        return False
    return True


def leaves(tests, variant, exp):
    """Yield (leaf name, status, reason) with expectations applied.

    The leaves of a test are its subtests (TEST:SUBTEST), and the test
    itself (TEST) when own_failure() says so.
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
            ledger = match_expected(exp, variant, name)
            if ledger and status == 'fail':
                status, reason = 'xfail', 'expected on %s: %s' % (variant, ledger)
            elif ledger and status == 'pass':
                status, reason = 'xpass', 'expected to fail on %s (%s) but passed' % (variant, ledger)
            yield name, status, reason


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
    items = []
    for path in args.tap:
        with open(path) as f:
            items += list(leaves(parse_tap(f.read().splitlines()), args.variant, exp))
    c = count(items)
    shown = ('fail', 'xpass', 'skip', 'xfail') if args.verbose else ('fail', 'xpass', 'xfail')
    for name, status, reason in items:
        if status in shown:
            print('  %-5s %s%s' % (status.upper(), name, ' (%s)' % reason if reason else ''))
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


def table(args):
    exp = load_expected(args.expected)
    variants, rows = [], {}
    for d in args.resultdir:
        v = os.path.basename(os.path.normpath(d))
        variants.append(v)
        for fn in sorted(os.listdir(d)):
            if fn.endswith('.tap'):
                with open(os.path.join(d, fn)) as f:
                    for name, status, reason in leaves(parse_tap(f.read().splitlines()), v, exp):
                        cell = SYMBOL[status]
                        if status == 'xfail':
                            cell = cell % reason.split(': ', 1)[1]
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('collect')
    p.add_argument('--boot', required=True)
    p.add_argument('--plan', required=True)
    p.add_argument('console')
    p.set_defaults(fn=collect)
    exp = os.path.join(TOP, 'tests', 'expected-failures')
    p = sub.add_parser('summary')
    p.add_argument('--variant', required=True)
    p.add_argument('--expected', default=exp)
    p.add_argument('--verbose', action='store_true', help='list skips too')
    p.add_argument('tap', nargs='+')
    p.set_defaults(fn=summary)
    p = sub.add_parser('table')
    p.add_argument('--expected', default=exp)
    p.add_argument('--out')
    p.add_argument('resultdir', nargs='+')
    p.set_defaults(fn=table)
    p = sub.add_parser('final')
    p.add_argument('summary', nargs='+')
    p.set_defaults(fn=final)
    args = ap.parse_args(argv)
    return args.fn(args)


if __name__ == '__main__':
    sys.exit(main())
