"""The vendor pages, one module per resource: `home` (the home page and global search),
`vendor` (the list, the vendor's own tabs, creating, editing, archiving), `records` (the
records that hang off a vendor: services, contracts, contacts, staff, principles,
assignments) and `staffing` (staffing-change requests).

Every page is a generic view of `vendorgov.pages`; a vendor's pages put
`vendors.pages.VendorMixin` in front.
"""
