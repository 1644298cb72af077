"""Post-processing of the mkdocs output, each a plain function of the built folder.

Search entries with an accent-folded field, the offline pack and its service worker, minified
scripts and styles, the theme CSS purged to what our pages use, and the `.gz` beside every text
file that the server sends as it is. They run after mkdocs and before the swap into `site/`, so a
failure here leaves the published site as it was.
"""
