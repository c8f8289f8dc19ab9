# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of scripts/bench-table.py with canned bench JSON."""
import importlib.util
import io
import json
import os
import re
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout

_path = os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'bench-table.py')
_spec = importlib.util.spec_from_file_location('bench_table', _path)
bt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bt)

EMU = ('to_shared_calls', 'to_shared_pages', 'to_private_calls', 'to_private_pages',
       'aligned_2m', 'splits', 'ops_4k', 'ops_2m', 'tlb_flushes', 'modeled_ns_snp',
       'modeled_ns_tdx', 'modeled_ns_tdx4k')
HEAP = ('to_shared', 'to_private', 'failed_to_shared', 'failed_to_private', 'pool_hits',
        'pool_misses', 'blocks_to_shared', 'blocks_to_private', 'fallbacks', 'trims',
        'shrinker_scans', 'shrinker_freed')


def run(heap, cycles, mean_ns, **deltas):
    """A heap's run as the CLI writes it; deltas absent from the kernel: None"""
    emu = {k: deltas.get(k) for k in EMU}
    hst = {k: deltas.get(k) for k in HEAP}
    per = {k: (None if v is None else round(v / cycles, 3))
           for k, v in list(emu.items()) + list(hst.items())}
    return {
        'heap': heap, 'ok': True, 'error': None, 'mean_ns': mean_ns,
        'min_ns': mean_ns, 'max_ns': mean_ns, 'cycles': cycles,
        'conversions': 0, 'conversions_per_gib': 0.0, 'conversions_per_cycle': 0.0,
        'emulator_deltas': emu, 'heap_deltas': hst, 'per_cycle': per,
        'pool_bytes_after': None, 'device': None,
    }


def row(size, sys_ns, shared):
    return {'size': size, 'system': run('system', 10, sys_ns), 'shared': shared,
            'ratio_shared_system': round(shared['mean_ns'] / sys_ns, 3) if shared else None}


def doc(phases, notes=()):
    d = {'command': 'bench', 'iterations': 10, 'warmup': 1, 'phase': 'both',
         'results_phase': 'warm', 'system_heap': 'system',
         'shared_heap': 'system_cc_shared', 'conversions_source': 'emulator',
         'device': False, 'clocksource': 'tsc', 'heap_stats_path': None,
         'pool_max_mb': None, 'pool_cap_bytes': None, 'notes': list(notes),
         'phases': {p: (None if rows is None else {'pool_emptied': True, 'results': rows})
                    for p, rows in phases.items()}}
    d['results'] = (phases.get('warm') or phases.get('cold'))
    return d


# ours: a pool (warm hits), every new counter
OURS = doc({
    'cold': [
        row(65536, 10000, run('system_cc_shared', 10, 30000, to_shared_calls=10,
                              to_shared_pages=160, aligned_2m=0, splits=10, ops_4k=320,
                              ops_2m=0, modeled_ns_snp=1600000, modeled_ns_tdx=3200000,
                              modeled_ns_tdx4k=3300000, pool_hits=0, pool_misses=10)),
        row(2 << 20, 20000, run('system_cc_shared', 10, 50000, to_shared_calls=10,
                                to_shared_pages=5120, aligned_2m=10, splits=0, ops_4k=0,
                                ops_2m=20, modeled_ns_snp=12345678, modeled_ns_tdx=0,
                                pool_hits=0, pool_misses=10)),
    ],
    'warm': [
        row(65536, 10000, run('system_cc_shared', 10, 12000, to_shared_calls=0,
                              to_shared_pages=0, aligned_2m=0, splits=0, ops_4k=0, ops_2m=0,
                              modeled_ns_snp=0, modeled_ns_tdx=0, pool_hits=10,
                              pool_misses=0)),
        row(2 << 20, 20000, run('system_cc_shared', 10, 21000, to_shared_calls=0,
                                to_shared_pages=0, aligned_2m=0, splits=0, ops_4k=0,
                                ops_2m=0, modeled_ns_snp=0, modeled_ns_tdx=0, pool_hits=10,
                                pool_misses=0)),
    ],
})
# mainline: no pool, no new counters (the old ones only)
OLD = dict(to_shared_calls=10, to_shared_pages=160, aligned_2m=0, splits=10)
STOCK = doc({
    'cold': [row(65536, 10000, run('system_cc_shared', 10, 40000, **OLD))],
    'warm': [row(65536, 10000, run('system_cc_shared', 10, 41000, **OLD))],
}, notes=['cannot write /proc/sys/vm/drop_caches (Permission denied): ...'])


def console(d, kernel='7.3.0-ccheap'):
    """A console log as guest/init leaves it: indented, with CRs"""
    inner = ['ccheap-bench: kernel ' + kernel, 'ccheap-bench: begin json']
    inner += json.dumps(d, indent=2).splitlines()
    inner += ['ccheap-bench: end json', 'ccheap-bench: exit status 0']
    lines = ['[    0.0] Linux version 7.3', 'TAP version 13', '1..2', 'ok 1 boot']
    lines += ['    ' + l for l in inner]
    lines += ['ok 2 bench', 'ccheap-runner: done']
    return '\r\n'.join(lines) + '\r\n'


def rows_of(md):
    """{(phase, size): [cells]} of the table's body"""
    out = {}
    for l in md.splitlines():
        if l.startswith('| cold ') or l.startswith('| warm '):
            cells = [c.strip() for c in l.strip('|').split('|')]
            out[(cells[0], cells[1])] = cells[2:]
    return out


class Extract(unittest.TestCase):
    def test_console(self):
        kernel, d = bt.extract(console(OURS))
        self.assertEqual(kernel, '7.3.0-ccheap')
        self.assertEqual(d, [OURS])

    def test_json_file(self):
        kernel, d = bt.extract(json.dumps(STOCK))
        self.assertIsNone(kernel)
        self.assertEqual(d, [STOCK])

    def test_no_markers(self):
        with self.assertRaisesRegex(bt.BenchError, 'no benchmark between'):
            bt.extract('TAP version 13\nok 1 boot\nnot ok 2 bench # timeout\n', 'x.log')

    def test_unterminated(self):
        text = console(OURS).split('ccheap-bench: end json')[0]
        with self.assertRaisesRegex(bt.BenchError, 'no benchmark between'):
            bt.extract(text)

    def test_broken_json(self):
        text = '    ccheap-bench: begin json\n    {"command": \n    ccheap-bench: end json\n'
        with self.assertRaisesRegex(bt.BenchError, 'not JSON'):
            bt.extract(text)


class Table(unittest.TestCase):
    def setUp(self):
        self.md = bt.table([('ours', '7.3.0-ccheap', OURS), ('mainline', '7.3.0', STOCK)])
        self.rows = rows_of(self.md)

    def test_header(self):
        self.assertIn('ours (`7.3.0-ccheap`), ours (with the ccheap series), and '
                      'mainline (`7.3.0`), mainline', self.md)
        self.assertIn('measured', self.md)
        self.assertIn('not asserted', self.md)
        self.assertIn('It is a model', self.md)
        self.assertIn('*ours / mainline*', self.md)
        self.assertIn('| phase | size | time ratio | calls to shared | pages to shared | '
                      'aligned 2 MiB | splits | ops_4k | model ms snp | model ms tdx | '
                      'model ms tdx4k | pool hits |', self.md)

    def test_rows(self):
        self.assertEqual(sorted(self.rows), [('cold', '2M'), ('cold', '64K'),
                                             ('warm', '2M'), ('warm', '64K')])
        # cold first, then warm; sizes ascending
        body = [l.split('|')[1:3] for l in self.md.splitlines() if l.startswith('| cold')
                or l.startswith('| warm')]
        self.assertEqual([[c.strip() for c in b] for b in body],
                         [['cold', '64K'], ['cold', '2M'], ['warm', '64K'], ['warm', '2M']])

    def test_cells(self):
        self.assertEqual(self.rows[('cold', '64K')],
                         ['3.00 / 4.00', '1 / 1', '16 / 16', '0 / 0', '1 / 1', '32 / -',
                          '0.16 / -', '0.32 / -', '0.33 / -', '0 / -'])
        self.assertEqual(self.rows[('warm', '64K')],
                         ['1.20 / 4.10', '0 / 1', '0 / 16', '0 / 0', '0 / 1', '0 / -',
                          '0 / -', '0 / -', '- / -', '1 / -'])
        # a size only ours ran: '-' for mainline
        self.assertEqual(self.rows[('cold', '2M')],
                         ['2.50 / -', '1 / -', '512 / -', '1 / -', '0 / -', '0 / -',
                          '1.235 / -', '0 / -', '- / -', '0 / -'])

    def test_notes(self):
        self.assertIn('- mainline: cannot write /proc/sys/vm/drop_caches', self.md)

    def test_failed_and_missing(self):
        bad = json.loads(json.dumps(STOCK))
        sh = bad['phases']['cold']['results'][0]['shared']
        sh.update(ok=False, error='Cannot allocate memory', per_cycle={})
        bad['phases']['cold']['results'][0]['ratio_shared_system'] = None
        bad['phases']['warm'] = None
        rows = rows_of(bt.table([('ours', None, OURS), ('mainline', None, bad)]))
        self.assertEqual(rows[('cold', '64K')][:3], ['3.00 / error', '1 / error', '16 / error'])
        self.assertEqual(rows[('warm', '64K')][:2], ['1.20 / -', '0 / -'])

    def test_no_shared_heap(self):
        plain = json.loads(json.dumps(STOCK))
        for p in ('cold', 'warm'):
            r = plain['phases'][p]['results'][0]
            r['shared'] = None
            r['ratio_shared_system'] = None
        rows = rows_of(bt.table([('ours', None, OURS), ('mainline', None, plain)]))
        self.assertEqual(rows[('cold', '64K')], ['3.00 / -', '1 / -', '16 / -', '0 / -',
                                                 '1 / -', '32 / -', '0.16 / -',
                                                 '0.32 / -', '0.33 / -', '0 / -'])

    def test_cli_before_phases(self):
        old = {k: v for k, v in STOCK.items() if k != 'phases'}
        rows = rows_of(bt.table([('ours', None, OURS), ('mainline', None, old)]))
        self.assertEqual(rows[('warm', '64K')][1], '0 / 1')
        self.assertEqual(rows[('cold', '64K')][1], '1 / -')


def tphase(name, qps, live, calls=0, back=0, splits=0, snp=0, tdx=0, tdx4k=0, dm4k=0,
           heap=None):
    """A phase of a trace run as the CLI writes it"""
    emu = {'to_shared_calls': calls, 'to_shared_pages': calls, 'to_private_calls': back,
           'to_private_pages': back, 'aligned_2m': 0, 'splits': splits,
           'ops_4k': calls + back, 'ops_2m': 0, 'modeled_ns_snp': snp,
           'modeled_ns_tdx': tdx, 'modeled_ns_tdx4k': tdx4k}
    h = dict.fromkeys(('to_shared', 'to_private', 'pool_hits', 'pool_misses', 'fallbacks',
                       'trims', 'blocks_to_shared', 'blocks_to_private', 'pool_bytes',
                       'slack_bytes', 'held_bytes', 'shared_bytes'))
    h.update(heap or {})
    return {'phase': name, 'ok': True, 'qps': qps, 'ns': 1000 * qps, 'ns_per_qp': 1000,
            'emulator': emu, 'heap': h, 'directmap4k_kb': dm4k, 'live_bytes': live,
            'live_buffers': 0}


def tdoc(phases, ratio):
    return {'command': 'bench', 'trace': 'rdma',
            'params': {'qps': 1024, 'churn': 256, 'rounds': 4},
            'buffers': {'page': 4096, 'cq_bytes': 32768, 'qp_bytes': 12288, 'sq_bytes': 0,
                        'data_bytes': 4096, 'doorbells_per_page': 64},
            'pool_cap_bytes': 128 << 20 if ratio else None,
            'heaps': [{'heap': 'system', 'role': 'reference', 'phases': []},
                      {'heap': 'system_cc_shared', 'role': 'shared', 'phases': phases}],
            'time_ratio': {'setup': ratio, 'setup_warm': ratio}}


LIVE = 49280 << 10
TOURS = tdoc([
    tphase('setup', 1024, LIVE, calls=25, snp=850000, tdx=200000, tdx4k=200000),
    tphase('churn', 1024, LIVE, heap={'held_bytes': 1920 << 10}),
    tphase('teardown', 1024, 0),
    tphase('pool_drop', 1024, 0, back=25, snp=850000, tdx=200000, tdx4k=45000000),
], 1.1)
TSTOCK = tdoc([
    tphase('setup', 1024, LIVE, calls=12320, splits=12320, snp=134000000, tdx=123000000,
           tdx4k=123000000),
    tphase('churn', 1024, LIVE, calls=12320, back=12320),
    tphase('teardown', 1024, 0, back=12320, snp=130000000, tdx=160000000,
           tdx4k=160000000),
], None)


class Trace(unittest.TestCase):
    def setUp(self):
        self.md = bt.trace_table([('ours', None, TOURS), ('mainline', None, TSTOCK)])

    def cells(self, first):
        for l in self.md.splitlines():
            c = [x.strip() for x in l.strip('|').split('|')]
            if c[0] == first:
                return c[1:]
        return None

    def test_rows(self):
        self.assertIn("## rdma-core's pattern", self.md)
        self.assertIn('1024 QPs, each with a CQ of 32K, a QP buffer of 12K', self.md)
        self.assertEqual(self.cells('setup')[:5], ['25 / 12320', '25 / 12320', '0 / 0',
                                                   '25 / 12320', '0 / 12320'])
        self.assertEqual(self.cells('churn')[0], '0 / 24640')
        # a phase only ours ran
        self.assertEqual(self.cells('pool_drop')[0], '25 / -')
        self.assertIsNone(self.cells('setup_warm'))

    def test_targets(self):
        self.assertEqual(self.cells('setup: conversions <= one per 2 MiB live (25 blocks)'),
                         ['25', 'met'])
        self.assertEqual(self.cells('setup: large-page splits = 0'), ['0', 'met'])
        self.assertEqual(self.cells("setup: modelled time per QP <= 1/20 of mainline's (snp)"),
                         ['1/158', 'met'])
        self.assertEqual(self.cells('churn: 0 conversions'), ['0', 'met'])
        held = [l for l in self.md.splitlines() if l.startswith('| churn: shared held')]
        self.assertEqual(len(held), 1)
        self.assertIn('| met |', held[0])
        whole = [l for l in self.md.splitlines() if 'whole trace' in l and '(tdx4k' in l]
        self.assertIn('1/6', whole[0])

    def test_missed(self):
        bad = json.loads(json.dumps(TOURS))
        bad['heaps'][1]['phases'][1]['emulator']['to_shared_calls'] = 3
        md = bt.trace_table([('ours', None, bad), ('mainline', None, TSTOCK)])
        self.assertIn('| churn: 0 conversions | 3 | **missed** |', md)

    def test_no_trace(self):
        self.assertEqual(bt.trace_table([('ours', None, TOURS), ('mainline', None, None)]), '')


class Keys(unittest.TestCase):
    def test_canned_keys_are_the_clis(self):
        """Every key of the canned JSON is one that ccheap bench writes"""
        src = os.path.join(os.path.dirname(__file__), '..', '..', 'tools', 'ccheap')
        text = ''.join(open(os.path.join(src, f)).read()
                       for f in os.listdir(src) if f.endswith('.c'))
        written = set(re.findall(r'"([a-z][a-z0-9_]*)"', text))

        def keys(v):
            if isinstance(v, dict):
                for k, x in v.items():
                    yield k
                    yield from keys(x)
            elif isinstance(v, list):
                for x in v:
                    yield from keys(x)
        self.assertEqual(sorted(set(keys(OURS)) - written), [])
        self.assertEqual(sorted(k for _, k, _, _ in bt.COLUMNS if k not in written), [])


class Main(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        p = os.path.join(self.dir, name)
        with open(p, 'w') as f:
            f.write(text)
        return p

    def main(self, *argv):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = bt.main(list(argv))
        return rc, out.getvalue(), err.getvalue()

    def test_writes_table_and_json(self):
        a = self.write('ours.log', console(OURS))
        b = self.write('stock.json', json.dumps(STOCK))
        md = os.path.join(self.dir, 'sub', 'bench.md')
        jd = os.path.join(self.dir, 'json')
        rc, out, err = self.main('--out', md, '--json-dir', jd, '7.3=' + a, '7.3-stock=' + b)
        self.assertEqual((rc, err), (0, ''))
        with open(md) as f:
            self.assertEqual(f.read(), out)
        self.assertIn('# ccheap bench: 7.3 vs 7.3-stock', out)
        with open(os.path.join(jd, '7.3.json')) as f:
            self.assertEqual(json.load(f), OURS)
        with open(os.path.join(jd, '7.3-stock.json')) as f:
            self.assertEqual(json.load(f), STOCK)

    def test_errors(self):
        a = self.write('ours.log', console(OURS))
        empty = self.write('empty.log', 'ok 1 boot\n')
        info = self.write('info.json', '{"command": "info"}')
        cases = [
            (('7.3=' + a, '7.3-stock=' + empty), 'empty.log: no benchmark between'),
            (('7.3=' + a, 'x=' + info), 'info.json: not the output of ccheap bench'),
            (('7.3=' + a, 'x=' + os.path.join(self.dir, 'none')), 'none: No such file'),
            (('7.3=' + a, a), 'is not LABEL=FILE'),
        ]
        for argv, msg in cases:
            rc, out, err = self.main(*argv)
            self.assertEqual(rc, 1, argv)
            self.assertEqual(out, '')
            self.assertTrue(err.startswith('bench-table: ') and msg in err, err)
            self.assertEqual(err.count('\n'), 1)


if __name__ == '__main__':
    unittest.main()
