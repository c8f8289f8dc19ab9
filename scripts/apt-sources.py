#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""apt-sources.py: the Debian mirrors of this machine, and the project-local
sources list made from them.

  apt-sources.py mirrors          print "ARCHIVE URI FROM" for debian and
                                  debian-security
  apt-sources.py list SUITES      print a sources.list for the suites file
                                  (lines "ARCHIVE SUITE COMPONENT...")

The mirrors come from the machine's apt configuration under $APT_ETC
(default /etc/apt): sources.list, sources.list.d/*.list (one-line format)
and sources.list.d/*.sources (deb822), read in apt's order; files with other
names are ignored, as apt ignores them. MIRROR= and SECURITY_MIRROR=
override what is found.

Which entry is the Debian archive: an enabled "deb" entry with the main
component, whose URI path ends in /debian or whose suite is a Debian suite
(bookworm, trixie-backports, stable, sid, ...); one that has both wins over
one that has either, and else the first in apt's order wins. The security
archive: the same, for suites ending in -security or URI paths ending in
/debian-security. Without a security entry it is derived from the archive
(.../debian -> .../debian-security).
"""
import glob
import os
import sys
import urllib.parse

# Debian suites and codenames, without their -updates, -backports, ...
DEBIAN_SUITES = {
    'stretch', 'buster', 'bullseye', 'bookworm', 'trixie', 'forky', 'duke',
    'sid', 'oldoldstable', 'oldstable', 'stable', 'testing', 'unstable',
    'experimental',
}
FALSE_WORDS = {'no', 'false', 'without', 'off', 'disable'}


class Error(Exception):
    pass


class Entry:
    """One (URI, suite) pair of a deb source, with where it was read."""

    def __init__(self, uri, suite, comps, origin):
        self.uri = uri.rstrip('/') or uri
        self.suite = suite
        self.comps = comps
        self.origin = origin

    def last_component(self):
        """Last path component of the URI; for a mirror list file
        (mirror+file:/etc/apt/mirrors/debian.list) its name without .list"""
        path = urllib.parse.urlsplit(self.uri).path.rstrip('/')
        last = path.rsplit('/', 1)[-1]
        if self.uri.startswith('mirror') and last.endswith('.list'):
            last = last[:-len('.list')]
        return last

    def is_security(self):
        return (self.suite.endswith('-security') or
                self.suite.endswith('/updates') or
                self.last_component() == 'debian-security')

    def score(self, security):
        """0: not that archive; else higher is a better match"""
        if 'main' not in self.comps or self.suite.endswith('/'):
            return 0
        if self.is_security() != security:
            return 0
        want = 'debian-security' if security else 'debian'
        base = self.suite.split('/')[0].split('-')[0]
        return 2 * (self.last_component() == want) + (base in DEBIAN_SUITES)


def strip_comment(line):
    """One-line format: '#' starts a comment at the start of a word"""
    for i, c in enumerate(line):
        if c == '#' and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


def parse_one_line(path):
    entries = []
    with open(path, encoding='utf-8', errors='replace') as f:
        for no, raw in enumerate(f, 1):
            words = strip_comment(raw).split()
            if not words or words[0] != 'deb':
                continue
            words = words[1:]
            # [ option=value ... ], possibly with spaces inside the brackets
            if words and words[0].startswith('['):
                while words and not words[0].endswith(']'):
                    words = words[1:]
                words = words[1:]
            if len(words) < 2 or words[0].startswith('cdrom:'):
                continue
            entries.append(Entry(words[0], words[1], words[2:],
                                 '%s:%d' % (path, no)))
    return entries


def deb822_stanzas(path):
    """(first line number, {lowercased field: value}) of each stanza"""
    stanza, first, key = {}, 0, None
    with open(path, encoding='utf-8', errors='replace') as f:
        for no, raw in enumerate(f, 1):
            line = raw.rstrip('\n')
            if line.startswith('#'):
                continue
            if not line.strip():
                if stanza:
                    yield first, stanza
                stanza, key = {}, None
                continue
            if line[0] in ' \t':
                if key is None:
                    raise Error('%s:%d: continuation line outside a field'
                                % (path, no))
                stanza[key] += ' ' + line.strip()
                continue
            name, sep, value = line.partition(':')
            if not sep or not name.strip():
                raise Error('%s:%d: not a "Field: value" line' % (path, no))
            if not stanza:
                first = no
            key = name.strip().lower()
            stanza[key] = value.strip()
    if stanza:
        yield first, stanza


def parse_deb822(path):
    entries = []
    for no, st in deb822_stanzas(path):
        if st.get('enabled', 'yes').strip().lower() in FALSE_WORDS:
            continue
        if 'deb' not in st.get('types', '').split():
            continue
        comps = st.get('components', '').split()
        for uri in st.get('uris', '').split():
            for suite in st.get('suites', '').split():
                entries.append(Entry(uri, suite, comps, '%s:%d' % (path, no)))
    return entries


def machine_entries(etc):
    """Every enabled deb entry under @etc, in apt's order"""
    entries = []
    main = os.path.join(etc, 'sources.list')
    if os.path.isfile(main):
        entries += parse_one_line(main)
    for path in sorted(glob.glob(os.path.join(etc, 'sources.list.d', '*'))):
        name = os.path.basename(path)
        if not os.path.isfile(path) or name.startswith('.'):
            continue
        if name.endswith('.list'):
            entries += parse_one_line(path)
        elif name.endswith('.sources'):
            entries += parse_deb822(path)
    return entries


def best(entries, security):
    """The best entry for the archive, or None"""
    found, top = None, 0
    for e in entries:
        s = e.score(security)
        if s > top:
            found, top = e, s
    return found


def check_uri(var, uri):
    scheme = urllib.parse.urlsplit(uri).scheme
    if not scheme or ' ' in uri:
        raise Error("%s='%s' is not a URI (e.g. http://HOST/debian)"
                    % (var, uri))
    return uri.rstrip('/')


def mirrors(etc):
    """{'debian': (uri, origin), 'debian-security': (uri, origin) or None}"""
    entries = machine_entries(etc)
    out = {}
    if os.environ.get('MIRROR'):
        out['debian'] = (check_uri('MIRROR', os.environ['MIRROR']), 'MIRROR')
    else:
        e = best(entries, False)
        if not e:
            raise Error('no Debian mirror in %s (set MIRROR=...)' % etc)
        out['debian'] = (e.uri, e.origin)
    if os.environ.get('SECURITY_MIRROR'):
        out['debian-security'] = (check_uri('SECURITY_MIRROR',
                                            os.environ['SECURITY_MIRROR']),
                                  'SECURITY_MIRROR')
        return out
    e = best(entries, True)
    if e:
        out['debian-security'] = (e.uri, e.origin)
        return out
    uri, origin = out['debian']
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme in ('http', 'https', 'ftp', 'file') and \
            parts.path.rstrip('/').endswith('/debian'):
        out['debian-security'] = (uri + '-security', 'derived from ' + origin)
    else:
        out['debian-security'] = None
    return out


def read_suites(path):
    """[(archive, suite, [components])] of a suites file"""
    suites = []
    with open(path, encoding='utf-8') as f:
        for no, raw in enumerate(f, 1):
            words = raw.split('#', 1)[0].split()
            if not words:
                continue
            if words[0] not in ('debian', 'debian-security') or len(words) < 3:
                raise Error('%s:%d: want "debian|debian-security SUITE '
                            'COMPONENT..."' % (path, no))
            suites.append((words[0], words[1], words[2:]))
    return suites


def main(argv):
    etc = os.environ.get('APT_ETC') or '/etc/apt'
    if len(argv) == 2 and argv[1] == 'mirrors':
        for archive, found in mirrors(etc).items():
            if found:
                print('%s %s %s' % (archive, found[0], found[1]))
            else:
                print('%s none' % archive)
        return 0
    if len(argv) != 3 or argv[1] != 'list':
        sys.stderr.write('usage: apt-sources.py mirrors | list SUITES\n')
        return 2
    suites = read_suites(argv[2])
    m = mirrors(etc)
    lines = ['# Generated by scripts/apt-sources.py from %s and %s;' %
             (etc, argv[2]),
             '# regenerated on every use. debian: %s; debian-security: %s' %
             (m['debian'][1], m['debian-security'][1]
              if m['debian-security'] else 'none')]
    for archive, suite, comps in suites:
        if not m[archive]:
            raise Error('no Debian security mirror in %s and none derivable '
                        'from %s (set SECURITY_MIRROR=...)'
                        % (etc, m['debian'][0]))
        lines.append('deb %s %s %s' % (m[archive][0], suite, ' '.join(comps)))
    sys.stdout.write('\n'.join(lines) + '\n')
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main(sys.argv))
    except (Error, OSError) as err:
        sys.stderr.write('error: %s\n' % err)
        sys.exit(1)
