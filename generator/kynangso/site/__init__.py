"""The residents' website: Markdown and navigation rendered from a `Project`, then mkdocs.

`render` writes the Markdown pages of both languages, the catalog and the quiz data;
`strings` holds the interface words of the site. `post/` changes what mkdocs produced
(accent-folded search, offline pack, minified scripts, purged theme CSS). It reads the sources'
models and never the class server: the site is static files, whoever serves them.
"""
