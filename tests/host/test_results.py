# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of scripts/results.py: console parsing and summaries."""
import io
import os
import sys
import tempfile
import unittest
from contextlib import redirect_stdout

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'scripts'))
import results  # noqa: E402

GOOD = """\
[    0.000000] Linux version 7.3.12
TAP version 13
1..3
# ccheap-runner: kernel 7.3.12 cmdline: console=ttyS0
ok 1 boot
    TAP version 13
    1..2
    # Starting 2 tests from 1 test cases.
    ok 1 global.list_heaps
    ok 2 system_buf.one_page.zero # SKIP no heap
ok 2 heap-smoke
not ok 3 dmabuf-heap # dmesg: WARNING: CPU: 0 PID: 1 at foo
ccheap-runner: done
"""


def run(argv):
    out = io.StringIO()
    with redirect_stdout(out):
        rc = results.main(argv)
    return rc, out.getvalue()


class Files:
    def __init__(self, case):
        self.dir = tempfile.TemporaryDirectory()
        case.addCleanup(self.dir.cleanup)

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, 'w') as f:
            f.write(text)
        return path


class CollectTest(unittest.TestCase):
    def setUp(self):
        self.f = Files(self)
        self.plan = self.f.write('plan', 'heap-smoke 60 heap-smoke\ndmabuf-heap 60 dmabuf-heap\n')

    def collect(self, console):
        rc, out = run(['collect', '--boot', 'b', '--plan', self.plan, self.f.write('c', console)])
        self.assertEqual(rc, 0)
        return out

    def test_good_run_keeps_subtests_and_reasons(self):
        out = self.collect(GOOD)
        self.assertIn('ok 1 b/boot', out)
        self.assertIn('    ok 2 system_buf.one_page.zero # SKIP no heap', out)
        self.assertIn('not ok 3 b/dmabuf-heap # dmesg: WARNING: CPU: 0 PID: 1 at foo', out)
        self.assertNotIn('console tail', out)

    def test_hang_fails_missing_tests_with_tail(self):
        out = self.collect(GOOD.split('ok 2 heap-smoke')[0] + 'ccheap-host: timeout after 5s\n')
        self.assertIn('not ok 2 b/heap-smoke # guest hung (timeout)', out)
        self.assertIn('not ok 3 b/dmabuf-heap # guest hung (timeout)', out)
        self.assertIn('console tail', out)

    def test_panic_is_named(self):
        out = self.collect('TAP version 13\n1..3\nok 1 boot\nKernel panic - not syncing: Oops\n')
        self.assertIn('not ok 2 b/heap-smoke # kernel panic', out)

    def test_no_tap_at_all(self):
        out = self.collect('early boot failure\n')
        self.assertIn('not ok 1 b/boot # guest stopped before the runner finished', out)


class SummaryTest(unittest.TestCase):
    def setUp(self):
        self.f = Files(self)
        plan = self.f.write('plan', 'heap-smoke 60 x\ndmabuf-heap 60 y\n')
        _, tap = run(['collect', '--boot', 'b', '--plan', plan, self.f.write('c', GOOD)])
        self.tap = self.f.write('b.tap', tap)

    def summary(self, expected=''):
        exp = self.f.write('exp', expected)
        return run(['summary', '--variant', '7.3-stock', '--expected', exp, self.tap])

    def test_counts_leaves(self):
        rc, out = self.summary()
        self.assertEqual(rc, 1)
        self.assertIn('7.3-stock: 2 passed, 1 failed, 1 skipped (0 expected failures)', out)

    def test_expected_failure_counts_as_pass(self):
        rc, out = self.summary('7.3-stock b/dmabuf-heap fix-1\n')
        self.assertEqual(rc, 0)
        self.assertIn('3 passed, 0 failed, 1 skipped (1 expected failures)', out)

    def test_unexpected_pass_fails(self):
        rc, out = self.summary('7.3-stock b/dmabuf-heap fix-1\n7.3-stock b/heap-smoke:global.* fix-2\n')
        self.assertEqual(rc, 1)
        self.assertIn('XPASS b/heap-smoke:global.list_heaps', out)

    def test_expectation_for_other_variant_ignored(self):
        rc, out = self.summary('6.12 b/dmabuf-heap fix-1\n')
        self.assertEqual(rc, 1)

    def test_failed_wrapper_with_passing_subtests_counts(self):
        tap = self.f.write('w.tap', 'TAP version 13\n1..1\n    ok 1 a\nnot ok 1 b/t # exit status 1\n')
        rc, out = run(['summary', '--variant', 'v', '--expected', '/nonexistent', tap])
        self.assertEqual(rc, 1)
        self.assertIn('v: 1 passed, 1 failed, 0 skipped', out)


class OwnFailureTest(unittest.TestCase):
    """A test's own failure is a leaf next to its subtests (issue 13)."""

    def setUp(self):
        self.f = Files(self)

    def summary(self, result_line, expected, subtests=('ok 1 a', 'not ok 2 b')):
        tap = self.f.write('t.tap', 'TAP version 13\n1..1\n' +
                           ''.join('    %s\n' % l for l in subtests) + result_line + '\n')
        exp = self.f.write('exp', expected)
        return run(['summary', '--variant', 'v', '--expected', exp, tap])

    def test_dmesg_report_with_an_expected_failure_subtest_fails(self):
        rc, out = self.summary('not ok 7 emu/cc-heap # dmesg: DMA-API: test_dmabuf x: freed',
                               'v\temu/cc-heap:b\tfix-1\n')
        self.assertEqual(rc, 1)
        self.assertIn('FAIL  emu/cc-heap (dmesg: DMA-API: test_dmabuf x: freed)', out)
        self.assertIn('v: 2 passed, 1 failed, 0 skipped (1 expected failures)', out)

    def test_timeout_with_an_expected_failure_subtest_fails(self):
        rc, out = self.summary('not ok 7 emu/cc-heap # timeout after 300s',
                               'v\temu/cc-heap:b\tfix-1\n')
        self.assertEqual(rc, 1)
        self.assertIn('FAIL  emu/cc-heap (timeout after 300s)', out)
        self.assertIn('v: 2 passed, 1 failed', out)

    def test_exit_status_of_an_expected_failure_is_not_counted_again(self):
        rc, out = self.summary('not ok 7 emu/cc-heap # exit status 1',
                               'v\temu/cc-heap:b\tfix-1\n')
        self.assertEqual(rc, 0, out)
        self.assertIn('v: 2 passed, 0 failed, 0 skipped (1 expected failures)', out)

    def test_exit_status_of_a_failing_subtest_counts_once(self):
        rc, out = self.summary('not ok 7 emu/cc-heap # exit status 1', '')
        self.assertEqual(rc, 1)
        self.assertIn('v: 1 passed, 1 failed', out)
        self.assertNotIn('FAIL  emu/cc-heap ', out)

    def test_exit_status_without_failing_subtest_counts(self):
        rc, out = self.summary('not ok 7 emu/cc-heap # exit status 139', '', ('ok 1 a',))
        self.assertEqual(rc, 1)
        self.assertIn('FAIL  emu/cc-heap (exit status 139)', out)

    def test_only_an_entry_for_the_test_itself_excuses_it(self):
        line = 'not ok 7 emu/cc-heap # dmesg: WARNING: at x'
        rc, out = self.summary(line, 'v\temu/cc-heap:b*\tfix-1\n')
        self.assertEqual(rc, 1)
        self.assertIn('FAIL  emu/cc-heap (dmesg: WARNING: at x)', out)
        self.assertIn('v: 2 passed, 1 failed', out)
        rc, out = self.summary(line, 'v\temu/cc-heap:b\tfix-1\nv\temu/cc-heap\tfix-2\n')
        self.assertEqual(rc, 0, out)
        self.assertIn('XFAIL emu/cc-heap (expected on v: fix-2)', out)


class ScopeTest(unittest.TestCase):
    def test_heap_scope_names_upstream_cases(self):
        lines = ['    # Testing heap: system_cc_shared', '    not ok 1 zeroed',
                 '    ok 2 zeroed', '    # Testing heap: system', '    ok 3 zeroed',
                 'not ok 1 b/dmabuf-heap # exit status 1']
        t = results.parse_tap(lines)[0]
        self.assertEqual([s.name for s in t.subtests],
                         ['[system_cc_shared] zeroed', '[system_cc_shared] zeroed', '[system] zeroed'])
        names = [n for n, _, _ in results.leaves([t], 'v', [])]
        self.assertEqual(names, ['b/dmabuf-heap:[system_cc_shared] zeroed',
                                 'b/dmabuf-heap:[system_cc_shared] zeroed (2)',
                                 'b/dmabuf-heap:[system] zeroed'])


class FinalTest(unittest.TestCase):
    def test_final_line_format(self):
        f = Files(self)
        a = f.write('a', 'x\nhost: 3 passed, 0 failed, 0 skipped (0 expected failures)\n')
        b = f.write('b', '6.12: 4 passed, 1 failed, 2 skipped (0 expected failures)\n')
        rc, out = run(['final', a, b])
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines()[-1], '7 passed, 1 failed, 2 skipped')

    def test_missing_summary_is_a_failure(self):
        f = Files(self)
        a = f.write('a', 'host: 3 passed, 0 failed, 0 skipped (0 expected failures)\n')
        rc, out = run(['final', a, '/nonexistent/summary.txt'])
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines()[-1], '3 passed, 1 failed')

    def test_all_good_no_skip_suffix(self):
        f = Files(self)
        a = f.write('a', 'host: 3 passed, 0 failed, 0 skipped (0 expected failures)\n')
        rc, out = run(['final', a])
        self.assertEqual((rc, out), (0, '3 passed, 0 failed\n'))


class TableTest(unittest.TestCase):
    def test_table_marks_expected_and_unexpected(self):
        f = Files(self)
        for v, st in (('7.3', 'ok'), ('7.3-stock', 'not ok')):
            os.makedirs(os.path.join(f.dir.name, v))
            f.write(v + '/b.tap', 'TAP version 13\n1..1\n%s 1 b/zero\n' % st)
        exp = f.write('exp', '7.3-stock b/zero fix-zero\n')
        out = os.path.join(f.dir.name, 't.md')
        run(['table', '--expected', exp, '--out', out,
             os.path.join(f.dir.name, '7.3'), os.path.join(f.dir.name, '7.3-stock')])
        with open(out) as fh:
            text = fh.read()
        self.assertIn('| b/zero | pass | fail (expected: fix-zero) |', text)


if __name__ == '__main__':
    unittest.main()
