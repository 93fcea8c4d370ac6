#!/usr/bin/env python3
"""Prints one closing line for the whole suite, 'tests: N passed, N failed, N skipped', from
ctest's JUnit file and every Surefire leg's reports. Usage: count-tests.py CTEST_XML REPORTS_DIR..."""
import glob
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
files = [sys.argv[1]] + [f for d in sys.argv[2:] for f in glob.glob(d + "/**/TEST-*.xml", recursive=True)]
for path in files:
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    for s in suites:
        total = int(s.get("tests", 0))
        bad = int(s.get("failures", 0)) + int(s.get("errors", 0))
        skip = int(s.get("skipped", 0) or s.get("disabled", 0) or 0)
        passed += total - bad - skip
        failed += bad
        skipped += skip
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
