# SPDX-License-Identifier: GPL-2.0
"""Run the host-side unittest modules in this directory and print TAP."""
import os
import sys
import unittest


class TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.lines = []

    def _add(self, test, ok, directive=''):
        name = test.id().split('.', 1)[-1]
        self.lines.append('%s %d %s%s' % ('ok' if ok else 'not ok', len(self.lines) + 1,
                                          name, directive))

    def addSuccess(self, test):
        self._add(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._add(test, False)
        self.lines.extend('# ' + l for l in self._exc_info_to_string(err, test).splitlines())

    addError = addFailure

    def addSkip(self, test, reason):
        self._add(test, True, ' # SKIP ' + reason)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    suite = unittest.defaultTestLoader.discover(here, pattern='test_*.py', top_level_dir=here)
    res = TapResult()
    suite.run(res)
    print('TAP version 13')
    print('1..%d' % sum(1 for l in res.lines if not l.startswith('#')))
    print('\n'.join(res.lines))
    return 0 if res.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
