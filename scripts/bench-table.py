#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Side-by-side tables of two `ccheap bench --json` runs (make bench).

  bench-table.py [--out FILE] [--json-dir DIR] LABEL=INPUT LABEL=INPUT

The first input is ours, the second the one compared with it (mainline).
An INPUT is a guest console log, from which the JSON that guest/bench
prints between its marker lines is cut out (guest/init indents it), or a
JSON file. The table (markdown) goes to standard output and to FILE;
--json-dir DIR keeps each run's JSON as DIR/LABEL.json. Where both runs
also have a `ccheap bench --trace rdma --json` (a second JSON between the
markers), a second table compares them, with the targets it is held to
(DIR/LABEL-rdma.json).

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
    ('model ms tdx4k', 'modeled_ns_tdx4k', 1e-6, 3),
    ('pool hits', 'pool_hits', 1, 2),
)


class BenchError(Exception):
    pass


def extract(text, name='input'):
    """(kernel release or None, [each bench JSON]) of a console log or JSON"""
    if text.lstrip().startswith('{'):
        try:
            return None, [json.loads(text)]
        except ValueError as e:
            raise BenchError('%s: not JSON: %s' % (name, e))
    kernel, body, inside, docs = None, [], False, []
    for raw in text.splitlines():
        line = raw.replace('\r', '')
        bare = line.strip()
        if bare.startswith(KERNEL) and kernel is None:
            kernel = bare[len(KERNEL):].strip() or None
        elif bare == BEGIN:
            inside, body = True, []
        elif bare == END and inside:
            inside = False
            try:
                docs.append(json.loads('\n'.join(body)))
            except ValueError as e:
                raise BenchError('%s: the benchmark output is not JSON: %s'
                                 % (name, e))
        elif inside:
            # guest/init indents a test's output by four spaces
            body.append(line[4:] if line.startswith('    ') else line)
    if not docs:
        raise BenchError('%s: no benchmark between "%s" and "%s" '
                         '(did the guest run guest/bench?)' % (name, BEGIN, END))
    return kernel, docs


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
        'conversions under SEV-SNP and TDX profiles, per cycle (tdx4k: '
        'TDX on a host that backs private memory with 4 KiB pages, where '
        'a 2 MiB accept falls back to 512 accepts of 4 KiB). It is a '
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
    """(label, kernel, the size bench or None, the trace bench or None)"""
    label, sep, path = spec.partition('=')
    if not sep or not label or not path:
        raise BenchError('"%s" is not LABEL=FILE' % spec)
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError as e:
        raise BenchError('%s: %s' % (path, e.strerror))
    kernel, docs = extract(text, path)
    sizes = trace = None
    for doc in docs:
        if not isinstance(doc, dict) or doc.get('command') != 'bench':
            raise BenchError('%s: not the output of ccheap bench --json' % path)
        if doc.get('trace'):
            trace = trace or doc
        else:
            sizes = sizes or doc
    return label, kernel, sizes, trace


# The trace table: (heading, figure of a phase entry)
def _emu(key):
    return lambda ph: (ph.get('emulator') or {}).get(key)


def _sum(*keys):
    def f(ph):
        vals = [(ph.get('emulator') or {}).get(k) for k in keys]
        return None if None in vals else sum(vals)
    return f


def _per_qp_us(key):
    def f(ph):
        v = (ph.get('emulator') or {}).get(key)
        return None if v is None or not ph.get('qps') else v / ph['qps'] / 1000
    return f


def _mib(v):
    return None if v is None else v / (1 << 20)


TRACE_COLUMNS = (
    ('conversions', _sum('to_shared_calls', 'to_private_calls'), 0),
    ('pages converted', _sum('to_shared_pages', 'to_private_pages'), 0),
    ('aligned 2 MiB', _emu('aligned_2m'), 0),
    ('ops_4k', _emu('ops_4k'), 0),
    ('splits', _emu('splits'), 0),
    ('DirectMap4k kB', lambda ph: ph.get('directmap4k_kb'), 0),
    ('model us/QP snp', _per_qp_us('modeled_ns_snp'), 2),
    ('model us/QP tdx', _per_qp_us('modeled_ns_tdx'), 2),
    ('model us/QP tdx4k', _per_qp_us('modeled_ns_tdx4k'), 2),
    ('live MiB', lambda ph: _mib(ph.get('live_bytes')), 1),
    ('pool MiB', lambda ph: _mib((ph.get('heap') or {}).get('pool_bytes')), 1),
    ('slack MiB', lambda ph: _mib((ph.get('heap') or {}).get('slack_bytes')), 1),
)


TRACE_PHASES = ('setup', 'churn', 'teardown', 'setup_warm', 'teardown_warm', 'pool_drop')


def trace_total_ns(phases, key):
    """The modelled ns of a whole trace, or None if a phase lacks it"""
    vals = [(phases[p].get('emulator') or {}).get(key) for p in TRACE_PHASES if p in phases]
    return None if not vals or None in vals else sum(vals)


def trace_phases(doc):
    """{phase name: entry} of the shared heap's run of a trace"""
    for h in (doc or {}).get('heaps') or []:
        if isinstance(h, dict) and h.get('role') == 'shared':
            return {p.get('phase'): p for p in h.get('phases') or []
                    if isinstance(p, dict) and p.get('ok')}
    return {}


def _div(a, b):
    return None if a is None or not b else a / b


def trace_targets(ta, tb, la, lb, cap):
    """The issue's targets, each with what ours did and whether it holds"""
    pa, pb = trace_phases(ta), trace_phases(tb)
    setup, churn = pa.get('setup') or {}, pa.get('churn') or {}
    out = []

    def line(text, v, ok):
        mark = '-' if ok is None else ('met' if ok else '**missed**')
        out.append('| %s | %s | %s |' % (text, v, mark))

    live = setup.get('live_bytes')
    blocks = None if live is None else -(-live // (2 << 20))
    conv = _sum('to_shared_calls', 'to_private_calls')(setup) if setup else None
    line('setup: conversions <= one per 2 MiB live (%s blocks)' % fmt(blocks, 0),
         fmt(conv, 0), None if conv is None or blocks is None else conv <= blocks)
    sp = _emu('splits')(setup) if setup else None
    line('setup: large-page splits = 0', fmt(sp, 0), None if sp is None else sp == 0)
    dm = setup.get('directmap4k_kb')
    line('setup: DirectMap4k unchanged', fmt(dm, 0), None if dm is None else dm == 0)
    for prof in ('snp', 'tdx', 'tdx4k'):
        f = _per_qp_us('modeled_ns_' + prof)
        a = f(setup) if setup else None
        b = f(pb.get('setup') or {}) if pb.get('setup') else None
        r = _div(a, b)
        line('setup: modelled time per QP <= 1/20 of %s\'s (%s)' % (lb, prof),
             '1/%s' % fmt(1 / r, 0) if r else ('0' if r == 0 else '-'),
             None if r is None else r <= 1 / 20)
    cc = _sum('to_shared_calls', 'to_private_calls')(churn) if churn else None
    line('churn: 0 conversions', fmt(cc, 0), None if cc is None else cc == 0)
    heap = churn.get('heap') or {}
    held, live_c = heap.get('held_bytes'), churn.get('live_bytes')
    bound = None if live_c is None or cap is None else live_c + 4 * (2 << 20) + cap
    line('churn: shared held <= live + 1 block per size class (4) + cap (%s MiB)'
         % fmt(_mib(cap), 0),
         '%s MiB (pool + slack %s MiB)' % (fmt(_mib(None if held is None or live_c is None
                                                    else held + live_c), 1),
                                           fmt(_mib(held), 1)),
         None if held is None or bound is None else held + live_c <= bound)
    for prof in ('snp', 'tdx', 'tdx4k'):
        a = trace_total_ns(pa, 'modeled_ns_' + prof)
        b = trace_total_ns(pb, 'modeled_ns_' + prof)
        r = _div(a, b)
        line('whole trace, every conversion back included: modelled time vs %s\'s (%s, '
             'reported)' % (lb, prof),
             '1/%s' % fmt(1 / r, 0) if r else ('0' if r == 0 else '-'), None)
    tr = (ta or {}).get('time_ratio') or {}
    line('setup_warm: time per QP <= 1.0x system (reported)',
         '%sx (cold setup %sx)' % (fmt(tr.get('setup_warm'), 2, False),
                                   fmt(tr.get('setup'), 2, False)), None)
    return out


def trace_table(runs):
    """The markdown of the two runs' traces, or '' if either lacks one"""
    (la, ka, ta), (lb, kb, tb) = runs
    if not ta or not tb:
        return ''
    par, buf = ta.get('params') or {}, ta.get('buffers') or {}
    out = [
        '',
        '## rdma-core\'s pattern: `ccheap bench --trace rdma`',
        '',
        '%s QPs, each with a CQ of %s, a QP buffer of %s, a data buffer of %s '
        'and two doorbell records (%s to a page, a dma-buf per page), '
        'allocated, mapped, touched and freed as rdma-core does; churn: '
        '%s QPs torn down and set up again, %s rounds. The shared heap\'s '
        'pool is emptied before setup; setup_warm follows the teardown; '
        'pool_drop gives the pool back (`drop_caches`). '
        'Each cell is *%s / %s*; `time x system` is the phase\'s time on '
        '`system_cc_shared` over that on `system` in the same boot '
        '(measured, not asserted).'
        % (par.get('qps'), size_name(buf.get('cq_bytes') or 0),
           size_name((buf.get('qp_bytes') or 0) + (buf.get('sq_bytes') or 0)),
           size_name(buf.get('data_bytes') or 0), buf.get('doorbells_per_page'),
           par.get('churn'), par.get('rounds'), la, lb),
        '',
    ]
    head = ['phase'] + [c[0] for c in TRACE_COLUMNS] + ['time x system']
    out.append('| ' + ' | '.join(head) + ' |')
    out.append('|' + '---|' * len(head))
    pa, pb = trace_phases(ta), trace_phases(tb)
    tra, trb = ta.get('time_ratio') or {}, tb.get('time_ratio') or {}
    for phase in TRACE_PHASES:
        a, b = pa.get(phase), pb.get(phase)
        if a is None and b is None:
            continue
        cells = [phase]
        for _, f, dec in TRACE_COLUMNS:
            cells.append(pair(fmt(f(a) if a else None, dec),
                              fmt(f(b) if b else None, dec)))
        cells.append(pair(fmt(tra.get(phase), 2, False), fmt(trb.get(phase), 2, False)))
        out.append('| ' + ' | '.join(cells) + ' |')
    out += ['', 'Targets (ours):', '', '| target | ours | |', '|---|---|---|']
    out += trace_targets(ta, tb, la, lb, ta.get('pool_cap_bytes'))
    return '\n'.join(out) + '\n'


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
    if not all(r[2] for r in runs):
        print('bench-table: %s: no size benchmark in it'
              % ', '.join(r[0] for r in runs if not r[2]), file=sys.stderr)
        return 1
    md = table([(l, k, s) for l, k, s, _ in runs])
    md += trace_table([(l, k, t) for l, k, _, t in runs])
    if args.json_dir:
        os.makedirs(args.json_dir, exist_ok=True)
        for label, _, doc, trace in runs:
            with open(os.path.join(args.json_dir, label + '.json'), 'w') as f:
                json.dump(doc, f, indent=2)
                f.write('\n')
            if trace:
                with open(os.path.join(args.json_dir, label + '-rdma.json'), 'w') as f:
                    json.dump(trace, f, indent=2)
                    f.write('\n')
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(md)
    sys.stdout.write(md)
    return 0


if __name__ == '__main__':
    sys.exit(main())
