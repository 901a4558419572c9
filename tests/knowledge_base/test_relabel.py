import importlib.util

from knowledge_base.calibrate import EVAL_DIR

_spec = importlib.util.spec_from_file_location("relabel", EVAL_DIR / "relabel.py")
relabel = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(relabel)

FILE = """questions:
- id: a
  in_scope: false
  question: x
- id: b
  in_scope: true
  sections: [s1]
  question: y
- id: c
  in_scope: true
  sections: [s1]
  question: z
"""


def test_every_decision_applies_even_after_a_line_was_inserted_above_it():
    lines, changed, moved = relabel._apply_independent(
        FILE.split("\n"), {"a": (["n1"], []), "b": (["n2"], []), "c": ([], ["n3"])}
    )
    assert (changed, moved) == (3, 1)
    text = "\n".join(lines)
    assert "- id: a\n  in_scope: true\n  sections: [n1]\n" in text
    assert "sections: [n2, s1]" in text and "sections: [s1, n3]" in text
