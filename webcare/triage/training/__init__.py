"""Training of the small models triage ships (``webcare train``): one module per model.

Every module exposes ``train(data_dir: Path, out_dir: Path) -> dict[str, object]``: it reads labelled data with a
licence that allows training (``data_dir`` is ``../shared/data`` by default, plus the project's own sets in
``webcare/triage/labelled/``), fits deterministically (fixed seeds, sorted inputs: the same data gives the same
artefact byte for byte), writes its artefact(s) into ``out_dir`` (``webcare/triage/models/`` by default) and returns
a summary (rows used per source, labels, artefact name) that the command prints and stores in the artefact's meta.
"""
