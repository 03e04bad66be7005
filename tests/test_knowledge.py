"""The plan as validated data: every id of the plan index, complete records, precise errors on broken files."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.loader import DATA_DIR, KnowledgeError, default_knowledge, load, validate_file

INDEX = Path(__file__).parent / "data" / "plan-index.tsv"


def plan_index() -> list[tuple[str, str]]:
    with INDEX.open(encoding="utf-8") as handle:
        return [(row["id"], row["kind"]) for row in csv.DictReader(handle, delimiter="\t")]


def test_every_id_of_the_plan_index_is_present_with_its_kind():
    kb = default_knowledge()
    expected = plan_index()
    assert len(expected) == 69
    for item_id, kind in expected:
        bucket = {"commitment": kb.commitments, "action": kb.actions, "topic": kb.topics}[kind]
        assert item_id in bucket, item_id
    assert len(kb.commitments) == 6 and len(kb.actions) == 58 and len(kb.topics) == 5
    assert set(kb.item_ids) == {item_id for item_id, _ in expected}


def test_actions_are_complete_and_bilingual():
    kb = default_knowledge()
    for action in kb.actions.values():
        assert action.id.startswith(action.commitment + ".")
        assert action.text.en and action.text.fr, action.id
        assert action.title.fr != action.title.en or action.id in {"6.6"}, action.id
        assert len(action.keywords.en) >= 5 and len(action.keywords.fr) >= 5, action.id
        assert all(i in kb.institutions for i in action.institutions)
        assert action.source.section.startswith(f"Commitment {action.commitment}")
    for commitment in kb.commitments.values():
        assert commitment.issues.en and commitment.aims and commitment.lead_institutions
        assert kb.actions_of(commitment.id)


def test_institutions_are_first_class_with_acronyms_and_french_names():
    kb = default_knowledge()
    hatvp = kb.institutions["hatvp"]
    assert "HATVP" in hatvp.acronyms
    assert "Haute Autorité" in hatvp.name.fr
    audit_office = kb.institutions["cour-des-comptes"]
    assert audit_office.name.en == "Government Audit Office"
    assert "Cour des comptes" in (audit_office.name.fr, *audit_office.aliases.fr, *audit_office.aliases.en)


def test_promised_figures_and_dates_are_recorded():
    kb = default_knowledge()
    promises = " ".join(p.en for a in kb.actions.values() for p in a.promises)
    assert "4,000" in promises or "4000" in promises
    assert "2025" in promises


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_file_is_rejected_naming_file_item_and_field(tmp_path):
    original = (DATA_DIR / "actions-2.yaml").read_text(encoding="utf-8")
    broken = original.replace('fr: "Renforcer la transparence du lobbying"', "fr: ''", 1)
    assert broken != original, "fixture text not found: update the test"
    path = _write(tmp_path, broken)
    with pytest.raises(KnowledgeError) as error:
        load(path.parent)
    message = str(error.value)
    assert "broken.yaml" in message and "id 2.12" in message and "title.fr" in message


def test_unknown_fields_and_bad_references_are_errors(tmp_path):
    path = _write(tmp_path, "institutions:\n  - id: x\n    name: {en: X, fr: X}\n    colour: blue\n")
    with pytest.raises(KnowledgeError, match=r"institutions\[0\] \(id x\): field colour"):
        load(path)
    path = _write(tmp_path, (DATA_DIR / "actions-6.yaml").read_text(encoding="utf-8").replace("foreign-affairs", "nowhere", 1))
    with pytest.raises(KnowledgeError, match="unknown institution 'nowhere'"):
        validate_file(path.rename(tmp_path / "actions-6.yaml"))


def test_invalid_yaml_is_reported_with_the_file_name(tmp_path):
    path = _write(tmp_path, "actions: [\n  - id: '1.1'\n")
    with pytest.raises(KnowledgeError, match="broken.yaml: not valid YAML"):
        load(path)


def test_kb_validate_command_exit_codes(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "adapters.cli", "kb", "validate"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert "58 actions" in ok.stdout
    path = _write(tmp_path, "topics:\n  - id: about.x\n    title: {en: X}\n")
    bad = subprocess.run([sys.executable, "-m", "adapters.cli", "kb", "validate", str(path)], capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "broken.yaml" in bad.stderr and "title.fr" in bad.stderr
