"""Spreadsheets in and out of the lists, one module per step.

Import: a file → sheet rows → columns → values and records → checked rows → written rows.

    files       what a file is: told by its bytes, limits, zip and XML bomb guards, xlsx/CSV → rows
    encodings   CSV in Windows-1258, TCVN3 or VNI (8-bit Vietnamese) told apart, read as Unicode
    tables      where the table is in an officer's sheet: title, header, signature block, sheets
    columns     headers in any order or language → a resource's columns
    cells       cells → plain values (text, dates, numbers, choices, groups), and back
    names       cells → records by name (units, people, award types), tone marks kept apart
    rows        rows → model instances checked in bulk, written in one bulk_create
    uniqueness  a model's constraints checked for a whole file in a few queries
    resources   each list's columns (django-import-export resources)
    imports     import_file: a file's rows imported with a resource, all or none
    reports     ImportReport: what an import did, each refused row with its row, column, reason
    previews    preview → confirm or cancel, the previewed rows kept as JSON in PendingImport

Export: records → export file.

    exports     a resource's rows → xlsx or CSV in constant memory
    downloads   those files as responses: CSV streamed, xlsx written during the request
    templates   the empty workbook (columns, example, guide) offered on each import page
    admin       the admin's import pages and exports (background ones: movement.tasks)
"""
