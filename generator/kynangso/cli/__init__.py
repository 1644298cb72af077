"""The `kynangso` command: parse arguments, call one function, turn our errors into messages.

The commands live by concept: `content` (the editors'), `classes` (serve, class, learner),
`records` (report, export, certificates, attendance), `stores` (backup, restore, prune), `hub`
(team, sync, merge, commune), with what they share in `common`. Each imports its heavy
modules inside the command, so `kynangso --help` stays quick.
"""

from __future__ import annotations

import click

from kynangso.cli import classes, content, hub, records, stores


@click.group()
@click.version_option(package_name="kynangso")
def main() -> None:
    """Kỹ năng số: build the bilingual lesson site from YAML sources."""


for command in (
    content.validate,
    content.build,
    content.status,
    content.new,
    content.schema,
    content.links,
    content.preview,
    classes.serve,
    classes.class_group,
    classes.learner_group,
    records.report,
    records.export,
    records.certificates,
    records.attendance,
    stores.backup,
    stores.restore,
    stores.prune,
    hub.team_group,
    hub.sync_command,
    hub.merge_command,
    hub.commune_group,
):
    main.add_command(command)
