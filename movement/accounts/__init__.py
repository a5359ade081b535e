"""Signing in and staying signed in, one module per rule:

- ``lockout``: django-axes's lockouts, password spraying included, and the page that says so;
- ``passwords``: temporary passwords an administrator sets, changed at the next sign-in;
- ``sessions``: a session ends after idle minutes or a working day, whichever comes first;
- ``views``: the page for a form that has expired (CSRF failure).
"""
