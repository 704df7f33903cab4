"""The core's Chinese message catalogue: complete, current, placeholder-safe, and used.

The catalogue (``resources/translations/netbuilder_core_zh_CN.po``, compiled to ``.mo``) is
regenerated with ``python packaging/update_translations.py``; these tests fail when a message
in the source or the block library is missing from it, untranslated or fuzzy, when a
translation lost a placeholder, or when the committed ``.mo`` is stale.
"""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netbuilder import i18n_tools
from netbuilder.cli import main, take_language
from netbuilder.core import i18n
from netbuilder.core.blocks import BLOCKS, CATEGORIES, IMPORT_ONLY_CATEGORIES
from netbuilder.core.diagnostics import Diagnostic
from netbuilder.core.i18n import _, set_language
from netbuilder.core.io import load
from netbuilder.core.shapes import ShapeChecker
from netbuilder.resources import RESOURCES_DIR
from netbuilder.train.config import DATASET_OPTION_FIELDS, FIELDS, training_diagnostics

REPO = Path(__file__).resolve().parents[2]
SEED = RESOURCES_DIR / "samples" / "seed_cnnmodel.nbd"
PO = i18n.catalogue_path("zh_CN", ".po")
REGENERATE = "python packaging/update_translations.py"


def catalogue() -> list[i18n_tools.Message]:
    return i18n_tools.parse_po(PO.read_text(encoding="utf-8"))[1]


def test_catalogue_has_every_message_of_the_source_and_nothing_else() -> None:
    in_source = {(m.msgid, m.plural) for m in i18n_tools.extract()}
    in_po = {(m.msgid, m.plural) for m in catalogue()}
    missing = sorted(m for m, _p in in_source - in_po)
    unused = sorted(m for m, _p in in_po - in_source)
    assert not missing, f"not in the catalogue (run {REGENERATE}): {missing[:10]}"
    assert not unused, f"no longer in the source (run {REGENERATE}): {unused[:10]}"


def test_every_message_is_translated_not_fuzzy_keeps_placeholders_and_mo_is_current() -> None:
    problems = i18n_tools.problems()
    assert not problems, "\n".join(problems[:20])


def test_placeholders_are_the_same_in_every_translation() -> None:
    for m in catalogue():
        want = i18n_tools.placeholders(m.msgid)
        for text in m.msgstr:
            assert i18n_tools.placeholders(text) == want, (m.msgid, text)
            if "python-brace-format" in m.flags:  # formats with the source's fields
                text.format(**dict.fromkeys(want, "x"))


def test_block_library_and_training_settings_are_translated_in_chinese() -> None:
    set_language("zh_CN")
    untranslated = []
    texts = [*CATEGORIES, *IMPORT_ONLY_CATEGORIES]
    for spec in BLOCKS.values():
        texts += [spec.category, spec.doc]
        texts.extend(p.doc for p in spec.params if p.doc)
    texts.extend(p.doc for p in (*FIELDS, *DATASET_OPTION_FIELDS))
    for text in texts:
        if _(text) == text:
            untranslated.append(text)
    assert not untranslated, f"no translation (run {REGENERATE}): {untranslated[:10]}"
    assert _("Convolution") == "卷积"
    assert _(BLOCKS["Linear"].doc).startswith("全连接层")


def test_problem_messages_are_made_in_the_current_language() -> None:
    diagram = load(SEED)
    checker = ShapeChecker()
    english = next(d for d in checker.check(diagram).diagnostics if d.node_id == "fc1")
    assert english.message == "Linear expects 401408 input features but receives 128 (input B×128)"
    assert str(english).endswith("Hint: Set in_features to 128, or leave it empty to infer it.")
    set_language("zh_CN")  # the same checker: its cached problems must not stay English
    chinese = next(d for d in checker.check(diagram).diagnostics if d.node_id == "fc1")
    assert (
        chinese.message == "Linear（全连接层）期望 401408 个输入特征，但收到 128 个（输入 B×128）"
    )
    assert "提示：把 in_features 设为 128" in str(chinese)
    set_language("en")
    assert checker.check(diagram).diagnostics[0].message == english.message


def test_parameter_and_training_setting_messages_are_translated() -> None:
    set_language("zh_CN")
    _params, problems = BLOCKS["Conv2d"].validate_params({"stride": "x", "nope": 1})
    assert ("stride", "'stride' 必须是整数，而不是 'x'") in problems
    assert ("nope", "Conv2d 没有参数 'nope'") in problems
    (diag,) = training_diagnostics({"lr": "fast"})
    assert diag.message == "训练设置 'lr' 必须是数字，而不是 'fast'。"
    set_language("en")
    (diag,) = training_diagnostics({"lr": "fast"})
    assert diag.message == "Training setting 'lr' must be a number, not 'fast'."


def test_cli_lang_zh_cn_check_prints_chinese_and_exits_as_before(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", str(SEED)]) == 1
    english = capsys.readouterr().out
    assert "error: [fc1] Linear expects 401408 input features" in english
    assert english.rstrip().endswith("1 error(s)")

    assert main(["--lang", "zh_CN", "check", str(SEED)]) == 1
    chinese = capsys.readouterr().out
    assert "错误：[fc1] Linear（全连接层）期望 401408 个输入特征，但收到 128 个" in chinese
    assert "提示：把 in_features 设为 128，或留空让它自动推断。" in chinese
    assert chinese.rstrip().endswith("1 个错误")
    assert "参数总数：75,648" in chinese
    assert os.environ[i18n.ENV_VAR] == "zh_CN"  # the app and subprocesses follow --lang


def test_cli_chinese_table_columns_line_up(capsys: pytest.CaptureFixture[str]) -> None:
    """CJK headers are two columns wide per character; the table pads by display width."""
    assert main(["--lang=zh_CN", "check", str(RESOURCES_DIR / "examples" / "lenet5.nbd")]) == 0
    lines = capsys.readouterr().out.splitlines()
    header, rule = lines[1], lines[2]
    assert header.split() == ["节点", "模块", "输出形状", "参数量"]
    starts = [i for i, c in enumerate(rule) if c == "-" and rule[i - 1] == " "]
    words = [header.index(w) for w in header.split()]
    assert [i18n_report_width(header[:i]) for i in words] == starts  # on-screen columns
    assert lines[-1].strip() == "通过"


def i18n_report_width(text: str) -> int:
    from netbuilder.core.report import _width

    return _width(text)


def test_environment_variable_chooses_the_language_of_a_fresh_process() -> None:
    env = {**os.environ, i18n.ENV_VAR: "zh_CN"}
    result = subprocess.run(
        [sys.executable, "-m", "netbuilder", "check", str(SEED)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert "期望 401408 个输入特征" in result.stdout
    assert "Traceback" not in result.stderr


def test_unknown_or_missing_language_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--lang", "xx", "check", str(SEED)]) == 2
    assert capsys.readouterr().err == "error: unknown language 'xx'; choose one of: en, zh_CN\n"
    assert main(["check", str(SEED), "--lang"]) == 2
    assert "--lang needs a language" in capsys.readouterr().err


def test_take_language_leaves_everything_else_in_place() -> None:
    assert take_language(["--lang", "zh_CN", "net.nbd"]) == (["net.nbd"], "zh_CN")
    assert take_language(["check", "--lang=en", "a.nbd"]) == (["check", "a.nbd"], "en")
    assert take_language(["check", "--", "--lang"]) == (["check", "--", "--lang"], None)
    assert take_language(["train", "a.nbd"]) == (["train", "a.nbd"], None)


def test_help_texts_follow_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    assert "only print problems" in capsys.readouterr().out
    assert main(["--lang", "zh_CN", "check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "只输出问题" in out and "only print problems" not in out


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("zh_CN.UTF-8", "zh_CN"),
        ("zh", "zh_CN"),
        ("zh-Hans", "zh_CN"),
        ("zh_TW.UTF-8", "zh_CN"),
        ("en_US.UTF-8", "en"),
        ("C", "en"),
        ("POSIX", "en"),
        ("fr_FR.UTF-8", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_language(code: str | None, expected: str | None) -> None:
    assert i18n.normalize_language(code) == expected


def test_default_language_reads_netbuilder_lang_then_the_locale(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert i18n.default_language() == "zh_CN"
    monkeypatch.setenv("LANGUAGE", "fr:en")  # gettext's own order: LANGUAGE first
    assert i18n.default_language() == "en"
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    assert i18n.default_language() == "zh_CN"
    monkeypatch.setenv(i18n.ENV_VAR, "klingon")  # not offered: the locale decides
    assert i18n.default_language() == "en"


def test_a_missing_catalogue_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "translations_dir", lambda: Path("/nonexistent"))
    assert set_language("zh_CN") == "en"
    assert i18n.current_language() == "en"
    assert _("The diagram has no input block.") == "The diagram has no input block."


def test_english_hint_label_is_unchanged() -> None:
    assert str(Diagnostic("a", "Broken.", "Fix it.")) == "[a] Broken. Hint: Fix it."


# --- the tool's checks themselves --------------------------------------------------------


def _copy_catalogue(tmp_path: Path) -> Path:
    shutil.copy(PO, tmp_path / PO.name)
    shutil.copy(PO.with_suffix(".mo"), tmp_path / PO.with_suffix(".mo").name)
    return tmp_path / PO.name


def _edit(po: Path, old: str, new: str) -> None:
    text = po.read_text(encoding="utf-8")
    assert old in text
    po.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_names_untranslated_fuzzy_lost_placeholders_and_stale_mo(tmp_path: Path) -> None:
    po = _copy_catalogue(tmp_path)
    assert i18n_tools.problems(tmp_path) == []
    _edit(po, 'msgstr "提示：{hint}"', 'msgstr "提示：{tip}"')
    _edit(po, 'msgstr "删除这条连线。"', 'msgstr ""')
    _edit(po, 'msgid "Swap them."', '#, fuzzy\nmsgid "Swap them."')
    found = "\n".join(i18n_tools.problems(tmp_path))
    assert "'Hint: {hint}': placeholders ['tip'] != ['hint']" in found
    assert "'Delete that wire.' is untranslated" in found
    assert "'Swap them.' is fuzzy" in found
    assert "netbuilder_core_zh_CN.mo is stale" in found


def test_compiled_catalogue_is_what_gettext_reads(tmp_path: Path) -> None:
    header, messages, _obsolete = i18n_tools.parse_po(PO.read_text(encoding="utf-8"))
    mo = tmp_path / "x.mo"
    mo.write_bytes(i18n_tools.compile_mo(header, messages))
    with mo.open("rb") as fp:
        t = gettext.GNUTranslations(fp)
    for m in messages:
        assert t.gettext(m.msgid) == m.msgstr[0]
    assert t.info()["content-type"] == "text/plain; charset=UTF-8"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt not installed")
def test_gnu_msgfmt_accepts_the_catalogue_and_its_brace_formats(tmp_path: Path) -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "gnu.mo"), str(PO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_update_keeps_translations_and_adds_new_messages_untranslated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    po = _copy_catalogue(tmp_path)
    extracted = i18n_tools.extract()
    extra = i18n_tools.Message("A brand new message.", references=["netbuilder/x.py"])
    monkeypatch.setattr(i18n_tools, "extract", lambda: [*extracted, extra])
    i18n_tools.update(tmp_path)
    _header, messages, _obsolete = i18n_tools.parse_po(po.read_text(encoding="utf-8"))
    by_id = {m.msgid: m for m in messages}
    assert by_id["A brand new message."].msgstr == [""]
    assert by_id["Delete that wire."].msgstr == ["删除这条连线。"]
    assert i18n_tools.problems(tmp_path) == [f"{PO.name}: 'A brand new message.' is untranslated"]
    # a message dropped from the source keeps its translation as obsolete, for reuse
    monkeypatch.setattr(
        i18n_tools, "extract", lambda: [m for m in extracted if m.msgid != "Swap them."]
    )
    i18n_tools.update(tmp_path)
    text = po.read_text(encoding="utf-8")
    assert '#~ msgid "Swap them."' in text and '#~ msgstr "把二者交换。"' in text


def test_extraction_refuses_text_assembled_before_translation(tmp_path: Path) -> None:
    pkg = tmp_path / "netbuilder"
    pkg.mkdir()
    (pkg / "bad.py").write_text('x = 1\nmessage = _(f"{x} blocks")\n', encoding="utf-8")
    with pytest.raises(i18n_tools.ExtractionError, match=r"bad.py:2: _\(\) needs literal text"):
        list(i18n_tools.extract_file(pkg / "bad.py", pkg))
    (pkg / "good.py").write_text('a = _("One {n}")\nb = _(name)\nc = N_("Two")\n', "utf-8")
    found = [m.msgid for m in i18n_tools.extract_file(pkg / "good.py", pkg)]
    assert found == ["One {n}", "Two"]


def test_data_and_training_check_messages_are_translated(tmp_path: Path) -> None:
    from netbuilder.train.config import TrainConfig
    from netbuilder.train.data import DataError
    from netbuilder.train.health import HealthIssue
    from netbuilder.train.sources import load_data

    diagram = load(RESOURCES_DIR / "examples" / "lenet5.nbd")
    missing = str(tmp_path / "nowhere")
    config = TrainConfig.from_dict({"dataset": missing})
    with pytest.raises(DataError) as english:
        load_data(config, diagram)
    assert str(english.value) == f"the dataset '{missing}' does not exist (no such file or folder)"
    set_language("zh_CN")
    with pytest.raises(DataError) as chinese:
        load_data(config, diagram)
    assert str(chinese.value) == f"数据集 '{missing}' 不存在（没有这个文件或文件夹）"
    issue = HealthIssue("conv1", "exploding", 12, 3.0e4)
    assert issue.message() == "模块 'conv1'：从第 12 步起梯度爆炸（范数 3.0e+04）"
