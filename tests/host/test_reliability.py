# SPDX-License-Identifier: GPL-2.0
"""Host-side tests of scripts/reliability.py with canned console logs."""
import importlib.util
import os
import tempfile
import unittest

_path = os.path.join(os.path.dirname(__file__), '..', '..', 'scripts', 'reliability.py')
_spec = importlib.util.spec_from_file_location('reliability', _path)
rel = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rel)

STRESS = '''\
    # cc-stress: seed 0x1234, 4 threads, 8000 ops each, 40 s at most, conversions fail 5%, allocations 1 in 997 (CPUs online: 2)
    # cc-stress: 32000 operations (250 failed as allowed); faults injected: 3 conversions, 170 slab, 120 page allocations; 9 pressure rounds, 4 drop_caches, 30 shrinker scans
    # scenario                       pass   n  kind  site (stack of the injected failure)                         outcome                  pages
    # {:<30} conv   1  conv  cc_shared_convert_range<cc_block_new                         Input/output error       leaked 512
    # {:<30} slab   3  slab  -                                                            Cannot allocate memory   leaked 0
    # {:<30} page  12  page  alloc_vmap_area<x                                            ok                       leaked 0  FAIL: emulator violation
    # alloc, empty pool (new blocks): 3 points failed one at a time, 2 operations failed, 512 pages leaked (counted)
'''.format('alloc, empty pool (new blocks)', 'alloc, empty pool (new blocks)', 'vmap')


class Reliability(unittest.TestCase):
    def write(self, d, name, text):
        with open(os.path.join(d, name), 'w') as f:
            f.write(text)

    def test_rows_figures_and_reports(self):
        with tempfile.TemporaryDirectory() as top:
            d = os.path.join(top, '7.3')
            os.mkdir(d)
            self.write(d, 'stress.console.log', STRESS)
            self.write(d, 'stress.tap', 'ok 1 boot\nnot ok 2 cc-stress # dmesg: WARNING: x.c:1 at y+0x1\n')
            self.write(d, 'oom.console.log',
                       '    # cc-oversize.c:249:exhaustion_from_threads:896 MiB allocated of 903 MiB available\n')
            md = '\n'.join(rel.variant_md(d))
        self.assertIn('## 7.3', md)
        self.assertIn('4 threads on 2 vCPUs, seed 0x1234', md)
        self.assertIn('faults injected: 3 conversions, 170 slab, 120 page allocations', md)
        self.assertIn('896 MiB allocated of 903 MiB available', md)
        self.assertIn('kernel reports in these boots: 1', md)
        self.assertIn('| alloc, empty pool (new blocks) | conv | 1 | conv | '
                      '`cc_shared_convert_range<cc_block_new` | Input/output error | 512 |', md)
        self.assertIn('| alloc, empty pool (new blocks) | slab | 3 | slab | `-` | '
                      'Cannot allocate memory | 0 |', md)
        self.assertIn('| vmap | page | 12 | page | `alloc_vmap_area<x` | ok **FAIL: emulator violation** | 0 |',
                      md)
        self.assertIn('| alloc, empty pool (new blocks) | 3 | 2 | 512 |', md)

    def test_no_stress_boot(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertIn('no stress boot', '\n'.join(rel.variant_md(d)))


if __name__ == '__main__':
    unittest.main()
