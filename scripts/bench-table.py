#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""One side-by-side table of two `ccheap bench --json` runs (make bench).

  bench-table.py [--out FILE] [--json-dir DIR] LABEL=INPUT LABEL=INPUT

The first input is ours, the second the one compared with it (mainline).
An INPUT is a guest console log, from which the JSON that guest/bench
prints between its marker lines is cut out (guest/init indents it), or a
JSON file. The table (markdown) goes to standard output and to FILE;
--json-dir DIR keeps each run's JSON as DIR/LABEL.json.

Rows are phase x size; each cell is "ours / mainline". The counts are per
alloc/free cycle of the shared heap, from the counters' deltas that the
CLI reports; a counter a kernel lacks is "-". Exit status 1, with one
line on standard error, when an input has no benchmark in it.
"""
import argparse
import json
import os
import sys

MARK = 'ccheap-bench: '
BEGIN = MARK + 'begin json'
END = MARK + 'end json'
KERNEL = MARK + 'kernel '
PHASES = ('cold', 'warm')

# (heading, where in a shared run, scale, decimals): a run's figure is
# per_cycle[key] (a delta per cycle) times scale
COLUMNS = (
    ('calls to shared', 'to_shared_calls', 1, 2),
    ('pages to shared', 'to_shared_pages', 1, 2),
    ('aligned 2 MiB', 'aligned_2m', 1, 2),
    ('splits', 'splits', 1, 2),
    ('ops_4k', 'ops_4k', 1, 2),
    ('model ms snp', 'modeled_ns_snp', 1e-6, 3),
    ('model ms tdx', 'modeled_ns_tdx', 1e-6, 3),
    ('pool hits', 'pool_hits', 1, 2),
)


class BenchError(Exception):
    pass


def extract(text, name='input'):
    """(kernel release or None, the bench JSON) of a console log or JSON"""
    if text.lstrip().startswith('{'):
        try:
            return None, json.loads(text)
        except ValueError as e:
            raise BenchError('%s: not JSON: %s' % (name, e))
    kernel, body, inside, done = None, [], False, False
    for raw in text.splitlines():
        line = raw.replace('\r', '')
        bare = line.strip()
        if bare.startswith(KERNEL) and kernel is None:
            kernel = bare[len(KERNEL):].strip() or None
        elif bare == BEGIN and not done:
            inside, body = True, []
        elif bare == END and inside:
            inside, done = False, True
        elif inside:
            # guest/init indents a test's output by four spaces
            body.append(line[4:] if line.startswith('    ') else line)
    if not done:
        raise BenchError('%s: no benchmark between "%s" and "%s" '
                         '(did the guest run guest/bench?)' % (name, BEGIN, END))
    try:
        return kernel, json.loads('\n'.join(body))
    except ValueError as e:
        raise BenchError('%s: the benchmark output is not JSON: %s' % (name, e))


def phase_rows(doc, phase):
    """The per-size entries of @phase, or None if it did not run"""
    phases = doc.get('phases')
    if not isinstance(phases, dict):
        # a CLI before phases: its results are a warm run
        return doc.get('results') if phase == 'warm' else None
    p = phases.get(phase)
    return p.get('results') if isinstance(p, dict) else None


def by_size(rows):
    return {r.get('size'): r for r in rows or [] if isinstance(r, dict)}


def figure(run, key, scale):
    """A shared run's figure per cycle, 'error', or None if unknown"""
    if not isinstance(run, dict):
        return None
    if not run.get('ok'):
        return 'error'
    v = (run.get('per_cycle') or {}).get(key)
    if v is None:
        return None
    return v * scale


def fmt(v, decimals, strip=True):
    """@v with @decimals, trailing zeros cut if @strip; '-' if unknown"""
    if v is None:
        return '-'
    if isinstance(v, str):
        return v
    s = '%.*f' % (decimals, v)
    if strip and '.' in s:
        s = s.rstrip('0').rstrip('.')
    return '0' if s == '-0' else s


def ratio(row):
    if not isinstance(row, dict):
        return None
    sh = row.get('shared')
    if isinstance(sh, dict) and not sh.get('ok'):
        return 'error'
    return row.get('ratio_shared_system')


def size_name(n):
    for unit, suffix in ((1 << 30, 'G'), (1 << 20, 'M'), (1 << 10, 'K')):
        if n and n % unit == 0:
            return '%d%s' % (n // unit, suffix)
    return str(n)


def pair(a, b):
    return '%s / %s' % (a, b)


def kernel_name(label, kernel):
    return '%s (`%s`)' % (label, kernel) if kernel else label


def table(runs):
    """The markdown of two runs: [(label, kernel, doc), (label, kernel, doc)]"""
    (la, ka, da), (lb, kb, db) = runs
    iters = sorted({d.get('iterations') for d in (da, db) if d.get('iterations')})
    out = [
        '# ccheap bench: %s vs %s' % (la, lb),
        '',
        'Kernels: %s, ours (with the ccheap series), and %s, mainline (the '
        'same base with the test infrastructure only), each booted as an '
        'emulated confidential guest (QEMU TCG, `cc_emulation=on`) running '
        'the same `ccheap bench` (%s alloc/free cycles per size, heap and '
        'phase). Each cell is *%s / %s*.'
        % (kernel_name(la, ka), kernel_name(lb, kb),
           ' and '.join(str(i) for i in iters) or '?', la, lb),
        '',
        '- cold: the shared heap\'s pool is emptied before every cycle; '
        'warm: the pool is kept after one priming cycle.',
        '- time ratio: mean alloc+free time of `system_cc_shared` over '
        'that of `system`, in the same boot and phase. It is measured, '
        'not asserted: TCG timing varies from run to run.',
        '- the counts are per alloc/free cycle of `system_cc_shared`, from '
        'the emulator\'s and the heap\'s counters (cold includes giving '
        'each cycle\'s blocks back).',
        '- model ms: the emulator\'s deterministic cost model of the '
        'conversions under SEV-SNP and TDX profiles, per cycle. It is a '
        'model, not a measurement on hardware.',
        '- `-`: the kernel has no such counter; `error`: the allocation '
        'failed.',
        '',
    ]
    head = ['phase', 'size', 'time ratio'] + [c[0] for c in COLUMNS]
    out.append('| ' + ' | '.join(head) + ' |')
    out.append('|' + '---|' * len(head))
    for phase in PHASES:
        ra, rb = phase_rows(da, phase), phase_rows(db, phase)
        if ra is None and rb is None:
            continue
        a, b = by_size(ra), by_size(rb)
        for size in sorted(set(a) | set(b), key=lambda s: (s is None, s or 0)):
            rowa, rowb = a.get(size), b.get(size)
            cells = [phase, size_name(size) if size is not None else '?',
                     pair(fmt(ratio(rowa), 2, False), fmt(ratio(rowb), 2, False))]
            for _, key, scale, dec in COLUMNS:
                sa = (rowa or {}).get('shared')
                sb = (rowb or {}).get('shared')
                cells.append(pair(fmt(figure(sa, key, scale), dec),
                                  fmt(figure(sb, key, scale), dec)))
            out.append('| ' + ' | '.join(cells) + ' |')
    notes = [(l, n) for l, _, d in runs for n in d.get('notes') or []]
    if notes:
        out.append('')
        out.append('Notes of the runs:')
        out.append('')
        out.extend('- %s: %s' % (l, n) for l, n in notes)
    return '\n'.join(out) + '\n'


def parse_input(spec):
    label, sep, path = spec.partition('=')
    if not sep or not label or not path:
        raise BenchError('"%s" is not LABEL=FILE' % spec)
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError as e:
        raise BenchError('%s: %s' % (path, e.strerror))
    kernel, doc = extract(text, path)
    if not isinstance(doc, dict) or doc.get('command') != 'bench':
        raise BenchError('%s: not the output of ccheap bench --json' % path)
    return label, kernel, doc


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', help='also write the table here')
    ap.add_argument('--json-dir', help='keep each run\'s JSON here as LABEL.json')
    ap.add_argument('inputs', nargs=2, metavar='LABEL=INPUT')
    args = ap.parse_args(argv)
    try:
        runs = [parse_input(s) for s in args.inputs]
    except BenchError as e:
        print('bench-table: %s' % e, file=sys.stderr)
        return 1
    md = table(runs)
    if args.json_dir:
        os.makedirs(args.json_dir, exist_ok=True)
        for label, _, doc in runs:
            with open(os.path.join(args.json_dir, label + '.json'), 'w') as f:
                json.dump(doc, f, indent=2)
                f.write('\n')
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(md)
    sys.stdout.write(md)
    return 0


if __name__ == '__main__':
    sys.exit(main())
