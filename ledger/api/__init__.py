"""The books' part of the read API, under /api/v1/: administrations and relations, and the view the other apps'
endpoints over the books start from."""
