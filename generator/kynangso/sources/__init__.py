"""What editors write: lessons, quizzes and pages in YAML, read with their line marks.

Everything here works on the sources alone and imports nothing of ours but `errors`: loading
with line and column marks, the pydantic models, the cross-file rules and the `Project` they
make, links, review warnings, the new-lesson scaffold, `status`, the SVG checks (`media`) and
the editors' JSON Schemas. The topics are the entries of content/topics.yaml and nothing else.
The site, the team materials and the editor tools all start from a `Project`; keeping this
package free of them is what lets `kynangso validate` stay fast and lets a rule live in one place.
"""
