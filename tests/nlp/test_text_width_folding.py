"""fold_width turns every full-width form into its ordinary one, exactly as str.translate with the table does."""

from __future__ import annotations

import random

from fankui.nlp import text


def test_every_full_width_form_and_the_ideographic_space_are_folded() -> None:
    wide = "".join(chr(code) for code in range(0xFF01, 0xFF5F)) + "\u3000"

    assert text.fold_width(wide) == "".join(chr(code) for code in range(0x21, 0x7F)) + " "


def test_mixed_text_comes_out_as_translate_gives_it() -> None:
    rnd = random.Random(20261122)
    alphabet = [chr(c) for c in (*range(0xFF00, 0xFF70), 0x3000, *range(0x20, 0x7F), *range(0x4E00, 0x4E40))]
    samples = ["投诉：小区（三期）噪音！！请处理，谢谢；", "", "ＡＢＣ１２３　ｘｙｚ"]
    samples += ["".join(rnd.choice(alphabet) for _ in range(40)) for _ in range(500)]

    for sample in samples:
        assert text.fold_width(sample) == sample.translate(text._WIDTH), sample
