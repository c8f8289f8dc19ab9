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


# upstream's selftest Oopsing on 6.12-debug (base-6.12-dmabuf-debug); the
# result line before it quotes another report, which is not the crash.
SG_PHYS_OOPS = """\
TAP version 13
1..3
ok 1 boot
not ok 2 heap-smoke # dmesg: BUG: sleeping function called from invalid context
    # Testing heap: system
BUG: unable to handle page fault for address: ffffeb0800000008
#PF: supervisor read access in kernel mode
Oops: 0000 [#1] PREEMPT SMP KASAN NOPTI
CPU: 0 UID: 0 PID: 71 Comm: dmabuf-heap Not tainted 6.12.43 #1
RIP: 0010:debug_dma_sync_sg_for_cpu+0x1c5/0x3d0
Call Trace:
 <TASK>
 system_heap_dma_buf_begin_cpu_access+0x9a/0x140
RIP: 0033:0x4a1b2c
Kernel panic - not syncing: Fatal exception
"""
OTHER_PANIC = SG_PHYS_OOPS.replace('debug_dma_sync_sg_for_cpu', 'system_heap_allocate')


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

    def test_panic_reason_names_report_and_rip(self):
        out = self.collect(SG_PHYS_OOPS)
        self.assertIn('not ok 3 b/dmabuf-heap # kernel panic: BUG: unable to handle page fault '
                      'for address: ffffeb0800000008; RIP: 0010:debug_dma_sync_sg_for_cpu+0x1c5/0x3d0\n',
                      out)
        self.assertIn('#   RIP: 0033:0x4a1b2c', out)  # the tail is still there

    def test_panic_without_oops_gives_its_message(self):
        out = self.collect('TAP version 13\n1..3\nok 1 boot\n'
                           'Kernel panic - not syncing: Out of memory and no killable processes...\n')
        self.assertIn('# kernel panic: not syncing: Out of memory and no killable processes...', out)

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
        skips = self.f.write('skips', '7.3-stock\tb/heap-smoke:system_buf.*\tno heap\n')
        return run(['summary', '--variant', '7.3-stock', '--expected', exp,
                    '--expected-skips', skips, self.tap])

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

    def test_crash_after_a_failing_subtest_counts(self):
        rc, out = self.summary('not ok 7 emu/cc-heap # exit status 139', 'v\temu/cc-heap:b\tfix-1\n')
        self.assertEqual(rc, 1)
        self.assertIn('FAIL  emu/cc-heap (exit status 139)', out)
        self.assertIn('v: 2 passed, 1 failed', out)

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


class ExpectedFailuresTest(unittest.TestCase):
    """REASON-REGEX and stale entries of tests/expected-failures."""

    def setUp(self):
        self.f = Files(self)

    def summary(self, tap, expected, variant='v', extra=()):
        t = self.f.write('t.tap', tap)
        exp = self.f.write('exp', expected)
        return run(['summary', '--variant', variant, '--expected', exp] + list(extra) + [t])

    def crash(self, console):
        """The known-crash boot's TAP (it runs dmabuf-heap only)."""
        plan = self.f.write('plan', 'dmabuf-heap 60 y\n')
        _, tap = run(['collect', '--boot', 'known-crash', '--plan', plan,
                      self.f.write('c', console)])
        return tap

    def test_reason_regex_accepts_only_matching_failure(self):
        tap = 'TAP version 13\n1..2\nnot ok 1 b/x # timeout after 5s\nnot ok 2 b/y # exit status 3\n'
        rc, out = self.summary(tap, 'v\tb/x\tfix-1\ttimeout\nv\tb/y\tfix-2\ttimeout\n')
        self.assertEqual(rc, 1)
        self.assertIn('XFAIL b/x (expected on v: fix-1)', out)
        self.assertIn('FAIL  b/y (exit status 3 (not the failure fix-2 expects: /timeout/))', out)
        self.assertIn('v: 1 passed, 1 failed', out)

    def test_reason_regex_entry_still_sees_an_unexpected_pass(self):
        rc, out = self.summary('TAP version 13\n1..1\nok 1 b/x\n', 'v\tb/x\tfix-1\ttimeout\n')
        self.assertEqual(rc, 1)
        self.assertIn('XPASS b/x', out)

    def test_known_crash_entry_accepts_the_sg_phys_oops_only(self):
        real = os.path.join(results.TOP, 'tests', 'expected-failures')
        for console, want in ((SG_PHYS_OOPS, 0), (OTHER_PANIC, 1),
                              (SG_PHYS_OOPS.split('BUG: unable')[0] + 'ccheap-host: timeout\n', 1)):
            t = self.f.write('t.tap', self.crash(console))
            rc, out = run(['summary', '--variant', '6.12-debug', '--expected', real, t])
            self.assertEqual(rc, want, out)
        self.assertIn('FAIL  known-crash/dmabuf-heap (guest hung (timeout) (not the failure '
                      'base-6.12-dmabuf-debug expects', out)

    def test_stale_entry_fails(self):
        tap = 'TAP version 13\n1..1\nnot ok 1 b/x # exit status 1\n'
        rc, out = self.summary(tap, '# c\nv\tb/x\tfix-1\nv*\tb/gone\tfix-2\nother\tb/gone2\tfix-3\n')
        self.assertEqual(rc, 1)
        self.assertRegex(out, r'STALE b/gone \(expected failure fix-2, \S*exp:3: matches no result on v\)')
        self.assertNotIn('gone2', out)
        self.assertIn('v: 1 passed, 1 failed, 0 skipped (1 expected failures)', out)

    def test_stale_subtest_entry_of_a_passing_test_fails(self):
        tap = 'TAP version 13\n1..1\n    ok 1 a\nok 1 b/x\n'
        rc, out = self.summary(tap, 'v\tb/x:renamed\tfix-1\n')
        self.assertEqual(rc, 1)
        self.assertIn('STALE b/x:renamed', out)

    def test_partial_run_skips_entries_of_tests_not_run(self):
        tap = 'TAP version 13\n1..1\n    not ok 1 a\nnot ok 1 b/x # exit status 1\n'
        exp = 'v\tb/x:a\tfix-1\nv\tb/x:gone\tfix-2\nv\tb/y:a\tfix-3\n'
        rc, out = self.summary(tap, exp, extra=['--partial'])
        self.assertEqual(rc, 1)
        self.assertIn('STALE b/x:gone', out)
        self.assertNotIn('b/y:a', out)
        rc, out = self.summary(tap, exp)
        self.assertIn('STALE b/y:a', out)
        self.assertIn('v: 1 passed, 2 failed', out)

    def test_subtests_of_a_crashed_test_are_not_stale(self):
        tap = 'TAP version 13\n1..1\nnot ok 1 b/x # kernel panic\n'
        rc, out = self.summary(tap, 'v\tb/x:a\tfix-1\nv\tb/x\tfix-2\tpanic\n')
        self.assertEqual(rc, 0, out)
        self.assertNotIn('STALE', out)

    def test_bad_entries_are_named(self):
        for text, msg in (('v\tb/x\n', 'want 3 to 4'), ('v\tb/x\tf\t(\n', 'bad REASON-REGEX')):
            with self.assertRaises(SystemExit) as cm:
                results.load_expected(self.f.write('bad', text))
            self.assertIn('bad:1', str(cm.exception))
            self.assertIn(msg, str(cm.exception))

    def test_real_file_loads(self):
        exp = results.load_expected(os.path.join(results.TOP, 'tests', 'expected-failures'))
        self.assertGreater(len(exp), 5)
        self.assertTrue(any(e.reason for e in exp))


class ExpectedSkipsTest(unittest.TestCase):
    """tests/expected-skips: a skip no entry expects is a failure."""

    TAP = ('TAP version 13\n1..2\n    ok 1 a # SKIP not booted with cc_emulation=on\n'
           '    ok 2 [x] b*? # SKIP no heap\nok 1 plain/t\nok 2 plain/k # SKIP suite not built\n')

    def setUp(self):
        self.f = Files(self)
        os.makedirs(os.path.join(self.f.dir.name, 'r', '7.3'))
        self.tap = self.f.write('r/7.3/plain.tap', self.TAP)

    def summary(self, skips, variant='7.3'):
        return run(['summary', '--verbose', '--variant', variant, '--expected', '/nonexistent',
                    '--expected-skips', self.f.write('skips', skips), self.tap])

    def test_unexpected_skip_fails(self):
        rc, out = self.summary('*\tplain/t:a\tplain boot\n')
        self.assertEqual(rc, 1)
        self.assertIn('SKIP  plain/t:a (not booted with cc_emulation=on)', out)
        self.assertIn('FAIL  plain/t:[x] b*? (unexpected skip: no heap)', out)
        self.assertIn('FAIL  plain/k (unexpected skip: suite not built)', out)
        self.assertIn('7.3: 0 passed, 2 failed, 1 skipped', out)

    def test_expected_skips_count_as_skipped(self):
        rc, out = self.summary('7.*\tplain/t:*\tx\n7.3\tplain/k\ty\n')
        self.assertEqual(rc, 0, out)
        self.assertIn('7.3: 0 passed, 0 failed, 3 skipped', out)

    def test_entries_of_other_variants_do_not_count(self):
        rc, out = self.summary('6.12\tplain/*\tx\n7.3-stock\tplain/*\tx\n')
        self.assertIn('7.3: 0 passed, 3 failed, 0 skipped', out)

    def test_skips_prints_candidate_lines(self):
        d = os.path.join(self.f.dir.name, 'r', '7.3')
        rc, out = run(['skips', '--expected-skips', '/nonexistent', d])
        self.assertEqual(rc, 0)
        lines = out.splitlines()
        self.assertEqual(lines[1:], ['7.3\tplain/t:a\tnot booted with cc_emulation=on',
                                     '7.3\tplain/t:[[]x] b[*][?]\tno heap',
                                     '7.3\tplain/k\tsuite not built'])
        # the printed lines, as the file, expect every skip
        rc, out = self.summary(out)
        self.assertEqual(rc, 0, out)
        rc, out = run(['skips', '--new', '--expected-skips',
                       self.f.write('s', '7.3\tplain/t:*\tx\n'), d])
        self.assertEqual(out.splitlines()[1:], ['7.3\tplain/k\tsuite not built'])

    def test_table_marks_unexpected_skips(self):
        out = os.path.join(self.f.dir.name, 't.md')
        run(['table', '--expected', '/nonexistent', '--expected-skips',
             self.f.write('skips', '*\tplain/t:a\tx\n'), '--out', out,
             os.path.join(self.f.dir.name, 'r', '7.3')])
        with open(out) as fh:
            text = fh.read()
        self.assertIn('| plain/t:a | skip |', text)
        self.assertIn('| plain/k | **SKIP (unexpected)** |', text)

    def test_real_file_loads(self):
        skips = results.load_skips(os.path.join(results.TOP, 'tests', 'expected-skips'))
        self.assertGreater(len(skips), 5)
        self.assertTrue(all(e.why for e in skips))


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
