"""Papers the office hands out, one module per paper.

- ``fonts.py``: the serif shipped with the app (Liberation Serif, Times New Roman's metrics, every
  Vietnamese letter), registered with ReportLab, which writes every PDF here.
- ``lines.py``: what a paper prints of an award: its recipient, rank, position, unit, achievement;
  Vietnamese dates.
- ``decisions.py``: a decision and its attached list, laid out as Nghị định 30/2020/NĐ-CP lays out
  administrative documents, as .docx (python-docx) and PDF, from a set of awards sharing a decision
  number.
- ``certificates.py``: certificates printed onto pre-printed blanks (one PDF, a page per named
  recipient) and the calibration page that checks a printer against a blank.
- ``statistics.py``: the yearly statistics on the Ministry of Home Affairs' emulation-and-
  commendation forms, as .xlsx.
- ``records.py``: a person's award record (trích ngang khen thưởng) as .docx; its printable page
  is a view.
- ``access.py``: which awards and people a user may print papers of.
"""
