"""The bilingual catalog site: a pre-build generator and two plain MkDocs projects.

``generate`` writes the docs trees ``build/docs/zh`` and ``build/docs/en`` from ``site/``
(hand-written prose, assets) and ``catalog/`` (one page per dataset, the catalog index, SVG
charts of the published statistics); ``build`` then runs MkDocs for each language. Nothing on
the built site is fetched from another host at view time.
"""
