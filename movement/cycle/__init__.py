"""The emulation year's proposals (issue #16): the steps a proposal takes and who takes them
(:mod:`.transitions`), the eligibility of its lines (:mod:`.checks`), its documents
(:mod:`.attachments`), the council's vote (:mod:`.council`) and the staff's pages
(:mod:`.views`)."""
