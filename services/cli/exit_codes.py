"""One exit-code convention for every verb (documented in README.md, "Exit codes").

Like grep: 0 done, 1 refused (the input was checked and refused; every reason is printed),
2 error (the command could not do its work, or the command line itself is wrong, as argparse
says). 130 when interrupted with Ctrl-C.
"""

OK = 0
REFUSED = 1
ERROR = 2  # also argparse's exit status for usage errors
INTERRUPTED = 130
